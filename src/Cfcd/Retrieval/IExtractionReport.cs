using Cfcd.IO;
using Cfcd.Modeling;

namespace Cfcd.Retrieval;

/// <summary>What <see cref="FeatureExtraction.Run"/> tells its caller as it goes, to print or log.</summary>
public interface IExtractionReport
{
    /// <summary>The network is loaded and ready to describe images.</summary>
    void Loaded(LoadedNetwork network);

    /// <summary>Where the progress of this shard's rows of <paramref name="file"/> goes (null: nowhere).</summary>
    IProgress<long>? Progress(ChunkedFeatureFile file);

    /// <summary>This shard's chunks of <paramref name="file"/> are there; the matrix is merged if all are.</summary>
    void Extracted(ChunkedFeatureFile file, ChunkedExtractionResult result);

    /// <summary>A merge-only run merged <paramref name="file"/> (or found it merged).</summary>
    void Merged(ChunkedFeatureFile file);
}
