using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cfcd.Distributed;
using Cfcd.IO;

namespace Cfcd.Retrieval;

/// <summary>Which chunks a process extracts: chunk c belongs to shard c mod <see cref="Count"/>.</summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard All { get; } = new(0, 1);

    /// <summary>Parses "i/n" with 0 &lt;= i &lt; n.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1
                && index < count)
            return new Shard(index, count);
        throw new InputException($"--shard {text}: expected i/n with 0 <= i < n, e.g. 0/4 to 3/4");
    }

    /// <summary>The shard of a process of <paramref name="launch"/>: its rank of the launch's size (all chunks for a
    /// process started by hand). Why: under mpirun or srun each process takes its own chunks without a --shard.
    /// </summary>
    public static Shard For(ProcessLaunch launch) => new(launch.Rank, launch.Size);

    public bool Owns(int chunk) => chunk % Count == Index;

    /// <summary>How many rows of <paramref name="file"/> this shard extracts.</summary>
    public long RowsOf(ChunkedFeatureFile file) =>
        Enumerable.Range(0, file.Chunks).Where(Owns).Sum(chunk => (long)file.Range(chunk).Count);

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>What one process did for one feature file.</summary>
public sealed record ChunkedExtractionResult(string Path, int ChunksDone, int ChunksFound, bool Merged,
    IReadOnlyList<(int Row, string Problem)> Unreadable);

/// <summary>
/// Extracts the rows of a list of images into a <see cref="ChunkedFeatureFile"/>: this shard's chunks that are not
/// there yet, one chunk at a time, then the merge once every chunk exists (whichever process finishes last).
/// </summary>
internal static class ChunkedExtraction
{
    public static ChunkedExtractionResult Run(DescriptorExtractor extractor, ChunkedFeatureFile file,
        IReadOnlyList<ExtractionItem> items, Shard shard,
        IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        if (file.IsMerged)
            return new ChunkedExtractionResult(file.Path, 0, file.Chunks, Merged: true, []);
        file.Open();
        var unreadable = new List<(int, string)>();
        var rows = new float[(long)file.ChunkRows * file.Dimension];
        int done = 0, found = 0;
        long itemsDone = 0;
        for (int chunk = 0; chunk < file.Chunks; chunk++)
        {
            if (!shard.Owns(chunk))
                continue;
            var (first, count) = file.Range(chunk);
            if (file.HasChunk(chunk))
            {
                found++;
                progress?.Report(itemsDone += count);
                continue;
            }
            long before = itemsDone;
            var chunkProgress = progress is null ? null : new Progress(value => progress.Report(before + value));
            foreach (var (row, problem) in extractor.ExtractMany(Slice(items, first, count), rows, chunkProgress,
                cancellation))
                unreadable.Add((first + row, problem));
            file.WriteChunk(chunk, rows);
            done++;
            itemsDone += count;
        }
        bool complete = file.MissingChunks().Count == 0;
        if (complete)
            file.Merge();
        return new ChunkedExtractionResult(file.Path, done, found, complete, unreadable);
    }

    /// <summary>The settings the rows depend on, for the parts manifest: weights file, scales, size cap and the image
    /// list.</summary>
    public static Dictionary<string, string> Settings(string weightsPath, IReadOnlyList<double> scales, int maxSize,
        IReadOnlyList<ExtractionItem> items)
    {
        var weights = new FileInfo(weightsPath);
        var list = new StringBuilder();
        foreach (var item in items)
            list.Append(item.Path).Append('\t').AppendJoin(',',
                item.Box?.Select(value => value.ToString("R", CultureInfo.InvariantCulture)) ?? []).Append('\n');
        return new Dictionary<string, string>
        {
            ["weights"] = $"{weights.FullName} ({weights.Length} bytes, modified {weights.LastWriteTimeUtc:O})",
            ["scales"] = string.Join(",", scales.Select(scale => scale.ToString("R", CultureInfo.InvariantCulture))),
            ["max_size"] = maxSize.ToString(CultureInfo.InvariantCulture),
            ["images_sha256"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(list.ToString()))),
        };
    }

    private static IReadOnlyList<ExtractionItem> Slice(IReadOnlyList<ExtractionItem> items, int first, int count) =>
        items is List<ExtractionItem> list ? list.GetRange(first, count) : items.Skip(first).Take(count).ToList();

    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
