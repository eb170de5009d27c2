namespace Cfcd.IO;

/// <summary>Rows of float32 features, read a block at a time (from memory or a mapped .npy file).</summary>
public interface IFeatureRows
{
    /// <summary>What errors call it: usually the file path.</summary>
    string Name { get; }
    long Rows { get; }
    int Columns { get; }
    void ReadRows(long first, int count, Span<float> destination);
}
