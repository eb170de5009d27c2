using Cfcd.IO;
using Cfcd.Modeling;
using Cfcd.Retrieval;
using Cfcd.Tests.Cli;
using static TorchSharp.torch;

namespace Cfcd.Tests.Retrieval;

public class FeatureExtractionTests(SmallRevisitedSet synth) : IClassFixture<SmallRevisitedSet>
{
    private static FeatureExtractionSettings Settings(params double[] scales) =>
        new(FixtureModel.Checkpoint, scales, ExtractionOptions.For(CPU, workers: 2), CPU) { ChunkRows = 5 };

    private IReadOnlyList<ChunkedExtractionResult> Extract(string folder, FeatureExtractionSettings settings,
        IExtractionReport? report = null, CancellationToken cancellation = default) =>
        FeatureExtraction.Run(FeatureFiles.OfDataset(synth.Root, "synth", folder), settings, report, cancellation);

    private static byte[] Database(string folder) => File.ReadAllBytes(FeatureFiles.Database(folder, "synth"));

    private static byte[] Queries(string folder) => File.ReadAllBytes(FeatureFiles.Queries(folder, "synth"));

    [Fact]
    public void ShardsShareTheChunksAndTheLastOneMerges()
    {
        string whole = TestPaths.NewTempFolder(), sharded = TestPaths.NewTempFolder();
        Extract(whole, Settings(0.7071, 1));

        var first = Extract(sharded, Settings(0.7071, 1) with { Shard = new Shard(0, 2) });
        Assert.Equal([(1, true), (3, false)], first.Select(result => (result.ChunksDone, result.Merged)));
        var mergeOnly = Settings(0.7071, 1) with { MergeOnly = true };
        var early = Assert.Throws<InputException>(() => Extract(sharded, mergeOnly));
        Assert.Contains("2 of 5 chunks are missing, the first holds rows 5 to 9 (chunk 1)", early.Message);

        var second = Extract(sharded, Settings(0.7071, 1) with { Shard = new Shard(1, 2) });
        Assert.Equal([(0, 1, true), (2, 0, true)],
            second.Select(result => (result.ChunksDone, result.ChunksFound, result.Merged)));
        Assert.Equal(Queries(whole), Queries(sharded));
        Assert.Equal(Database(whole), Database(sharded));
    }

    [Fact]
    public void AStoppedExtractionContinuesFromItsChunks()
    {
        string whole = TestPaths.NewTempFolder(), stopped = TestPaths.NewTempFolder();
        Extract(whole, Settings(0.7071, 1));

        using var stop = new CancellationTokenSource();
        var stopInTheSecondChunk = new StopAfter(FeatureFiles.Database(stopped, "synth"), rows: 7, stop);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Extract(stopped, Settings(0.7071, 1), stopInTheSecondChunk, stop.Token));
        Assert.False(File.Exists(FeatureFiles.Database(stopped, "synth")));

        var resumed = Extract(stopped, Settings(0.7071, 1));
        Assert.Equal([(0, 1), (4, 1)], resumed.Select(result => (result.ChunksDone, result.ChunksFound)));
        Assert.Equal(Database(whole), Database(stopped));
    }

    [Fact]
    public void MergedFilesOfTheSameSettingsAreKeptAndOthersExtractedAgain()
    {
        string folder = TestPaths.NewTempFolder(), expected = TestPaths.NewTempFolder();
        Extract(expected, Settings(0.7071, 1));
        Extract(folder, Settings(1));

        var again = Extract(folder, Settings(0.7071, 1));
        Assert.Equal([1, 5], again.Select(result => result.ChunksDone));
        Assert.Equal(Database(expected), Database(folder));

        var kept = Extract(folder, Settings(0.7071, 1) with { ChunkRows = 7 });
        Assert.Equal([(0, 1), (0, 4)], kept.Select(result => (result.ChunksDone, result.ChunksFound)));
        var merged = Extract(folder, Settings(0.7071, 1) with { MergeOnly = true });
        Assert.All(merged, result => Assert.True(result.Merged));
        Assert.Equal(Database(expected), Database(folder));
    }

    /// <summary>Cancels the extraction once <paramref name="rows"/> rows of <paramref name="path"/> are done.</summary>
    private sealed class StopAfter(string path, long rows, CancellationTokenSource stop) : IExtractionReport
    {
        public void Loaded(LoadedNetwork network)
        {
        }

        public IProgress<long>? Progress(ChunkedFeatureFile file) =>
            file.Path == path ? new Stop(done => done >= rows, stop) : null;

        public void Extracted(ChunkedFeatureFile file, ChunkedExtractionResult result)
        {
        }

        public void Merged(ChunkedFeatureFile file)
        {
        }

        private sealed class Stop(Func<long, bool> reached, CancellationTokenSource stop) : IProgress<long>
        {
            public void Report(long value)
            {
                if (reached(value))
                    stop.Cancel();
            }
        }
    }
}
