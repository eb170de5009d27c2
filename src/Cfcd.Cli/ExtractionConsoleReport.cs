using Cfcd.IO;
using Cfcd.Modeling;
using Cfcd.Retrieval;

namespace Cfcd.Cli;

/// <summary>What <c>cfcd extract</c> prints on stderr: network, settings, each file's progress and outcome.</summary>
internal sealed class ExtractionConsoleReport(TextWriter error, FeatureExtractionSettings settings) : IExtractionReport
{
    public void Loaded(LoadedNetwork network)
    {
        int cap = settings.Options.MaxSize;
        error.WriteLine($"extract: {network.Describe()}");
        error.WriteLine($"extract: scales {string.Join(", ", settings.Scales)}" +
                        (cap > 0 ? $", longer side capped at {cap}" : "") +
                        $", {settings.Device.type.ToString().ToLowerInvariant()}" +
                        (settings.Shard.Count > 1 ? $", shard {settings.Shard}" : ""));
    }

    public IProgress<long> Progress(ChunkedFeatureFile file) =>
        new ConsoleProgress(error, $"extract {Path.GetFileName(file.Path)}", settings.Shard.RowsOf(file));

    public void Extracted(ChunkedFeatureFile file, ChunkedExtractionResult result)
    {
        foreach (var (row, problem) in result.Unreadable)
            error.WriteLine($"extract: row {row} left zero: {problem}");
        string state = result.Merged
            ? $"wrote {file.Path}"
            : $"{file.Chunks - file.MissingChunks().Count} of {file.Chunks} chunks in {file.PartsFolder}; " +
              "the other shards' chunks are missing, then run --merge";
        string unreadable = result.Unreadable.Count > 0
            ? $"; {result.Unreadable.Count} unreadable images have zero rows"
            : "";
        error.WriteLine($"extract: {Path.GetFileName(file.Path)}: {file.Rows:N0} x {file.Dimension}, " +
                        $"{result.ChunksDone} chunks extracted, {result.ChunksFound} found from before; " +
                        $"{state}{unreadable}");
    }

    public void Merged(ChunkedFeatureFile file) =>
        error.WriteLine($"extract: {file.Path}: {file.Rows:N0} x {file.Dimension}, all {file.Chunks} chunks merged");
}
