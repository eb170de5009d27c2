using Cfcd.IO;
using Cfcd.Modeling;
using static TorchSharp.torch;

namespace Cfcd.Retrieval;

/// <summary>What a feature extraction computes its rows with, and how it splits the work between processes.</summary>
/// <param name="WeightsPath">The network's weights file.</param>
/// <param name="Scales">The extraction scales.</param>
/// <param name="Options">Decoding, size cap and batching (see <see cref="ExtractionOptions.For"/>).</param>
/// <param name="Device">Where the network runs.</param>
public sealed record FeatureExtractionSettings(string WeightsPath, IReadOnlyList<double> Scales,
    ExtractionOptions Options, Device Device)
{
    /// <summary>Rows per chunk file: the unit of resuming and sharding.</summary>
    public int ChunkRows { get; init; } = FeatureExtraction.DefaultChunkRows;

    /// <summary>The chunks this process extracts.</summary>
    public Shard Shard { get; init; } = Shard.All;

    /// <summary>Extract nothing: check that every chunk is there and merge.</summary>
    public bool MergeOnly { get; init; }
}

/// <summary>
/// Extracts feature files (a data set's parts or an image list, see <see cref="FeatureFiles"/>) with one network:
/// in chunks, this shard's only, resuming from the chunks that are there and merging once all are.
/// </summary>
public static class FeatureExtraction
{
    public const int DefaultChunkRows = 500;

    /// <summary>Loads the network once and extracts (or, merge-only, merges) each part; a result per part.</summary>
    public static IReadOnlyList<ChunkedExtractionResult> Run(IReadOnlyList<FeaturePart> parts,
        FeatureExtractionSettings settings, IExtractionReport? report = null, CancellationToken cancellation = default)
    {
        using var network = LoadedNetwork.Load(settings.WeightsPath);
        using var extractor = new DescriptorExtractor(network.Network, network.Convention, settings.Scales,
            settings.Device, settings.Options);
        report?.Loaded(network);
        var results = new List<ChunkedExtractionResult>();
        foreach (var (path, items) in parts)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var file = new ChunkedFeatureFile(path, items.Count, extractor.Dimension, settings.ChunkRows,
                ChunkedExtraction.Settings(settings.WeightsPath, settings.Scales, settings.Options.MaxSize, items));
            if (settings.MergeOnly)
            {
                results.Add(Merge(file));
                report?.Merged(file);
                continue;
            }
            var result = ChunkedExtraction.Run(extractor, file, items, settings.Shard, report?.Progress(file),
                cancellation);
            report?.Extracted(file, result);
            results.Add(result);
        }
        return results;
    }

    /// <summary>Merges the chunks of <paramref name="file"/> unless done before; a missing chunk is an error.</summary>
    private static ChunkedExtractionResult Merge(ChunkedFeatureFile file)
    {
        if (!file.IsMerged)
        {
            file.Open();
            file.Merge();
        }
        return new ChunkedExtractionResult(file.Path, ChunksDone: 0, ChunksFound: file.Chunks, Merged: true, []);
    }
}
