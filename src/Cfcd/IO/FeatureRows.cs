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

/// <summary>Features held in a row-major array.</summary>
public sealed class InMemoryFeatureRows(string name, float[] values, int columns) : IFeatureRows
{
    public string Name { get; } = name;
    public long Rows { get; } = values.Length / columns;
    public int Columns { get; } = columns;

    public void ReadRows(long first, int count, Span<float> destination) =>
        values.AsSpan(checked((int)(first * Columns)), count * Columns).CopyTo(destination);
}
