using Cfcd.IO;

namespace Cfcd.Tests.IO;

public class ChunkedFeatureFileTests
{
    private static readonly Dictionary<string, string> Settings = new() { ["scales"] = "1" };

    private static float[] Rows(int first, int count, int dimension) =>
        Enumerable.Range(first * dimension, count * dimension).Select(value => (float)value).ToArray();

    [Fact]
    public void ChunksMergeIntoTheMatrixInRowOrder()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "features.npy");
        var file = new ChunkedFeatureFile(path, rows: 7, dimension: 2, chunkRows: 3, Settings);
        Assert.Equal(3, file.Chunks);
        Assert.Equal([(0, 3), (3, 3), (6, 1)], Enumerable.Range(0, 3).Select(file.Range));
        file.Open();
        foreach (int chunk in new[] { 2, 0, 1 })
        {
            var (first, count) = file.Range(chunk);
            file.WriteChunk(chunk, Rows(first, count, 2));
        }
        Assert.Empty(file.MissingChunks());
        file.Merge();
        var (values, rows, columns) = Npy.ReadMatrix(path);
        Assert.Equal((7, 2), (rows, columns));
        Assert.Equal(Rows(0, 7, 2), values);
        Assert.True(file.IsMerged);
        Assert.False(Directory.Exists(file.PartsFolder));
    }

    [Fact]
    public void ShardsThatFinishTogetherMergeOnceAndAllSeeTheMatrix()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "features.npy");
        var file = new ChunkedFeatureFile(path, rows: 4000, dimension: 64, chunkRows: 100, Settings);
        file.Open();
        for (int chunk = 0; chunk < file.Chunks; chunk++)
        {
            var (first, count) = file.Range(chunk);
            file.WriteChunk(chunk, Rows(first, count, 64));
        }
        // Each shard has its own object, as each process has; the merge.lock claim is an OS lock either way.
        var shards = Enumerable.Range(0, 4)
            .Select(_ => new ChunkedFeatureFile(path, rows: 4000, dimension: 64, chunkRows: 100, Settings)).ToList();
        using var start = new Barrier(shards.Count);
        Parallel.ForEach(shards, new ParallelOptions { MaxDegreeOfParallelism = shards.Count }, shard =>
        {
            start.SignalAndWait();
            shard.Merge();
            Assert.True(shard.IsMerged);
        });
        Assert.Equal(Rows(0, 4000, 64), Npy.ReadMatrix(path).Values);
        Assert.False(Directory.Exists(file.PartsFolder));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void AMergeWithAMissingChunkNamesItsRows()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "features.npy");
        var file = new ChunkedFeatureFile(path, rows: 7, dimension: 2, chunkRows: 3, Settings);
        file.Open();
        file.WriteChunk(0, Rows(0, 3, 2));
        Assert.Equal([1, 2], file.MissingChunks());
        var error = Assert.Throws<InputException>(file.Merge);
        Assert.Contains("2 of 3 chunks are missing, the first holds rows 3 to 5 (chunk 1)", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void AMergedMatrixOfOtherSettingsIsNotMergedForTheseButOfOtherChunksIs()
    {
        var file = new ChunkedFeatureFile(Path.Combine(TestPaths.NewTempFolder(), "features.npy"), 2, 2, 2, Settings);
        file.Open();
        file.WriteChunk(0, Rows(0, 2, 2));
        file.Merge();
        Assert.True(new ChunkedFeatureFile(file.Path, 2, 2, chunkRows: 1, Settings).IsMerged);
        var otherScales = new Dictionary<string, string> { ["scales"] = "2" };
        Assert.False(new ChunkedFeatureFile(file.Path, 2, 2, 2, otherScales).IsMerged);
        File.Delete(file.MergedManifest);
        Assert.False(file.IsMerged);
    }

    [Fact]
    public void ChunksOfOtherSettingsAreRefused()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "features.npy");
        new ChunkedFeatureFile(path, 7, 2, 3, Settings).Open();
        var other = new ChunkedFeatureFile(path, 7, 2, 3, new Dictionary<string, string> { ["scales"] = "0.5,1" });
        var error = Assert.Throws<InputException>(other.Open);
        Assert.Contains("were computed with scales = 1, this run has 0.5,1", error.Message);
        var resized = new ChunkedFeatureFile(path, 7, 2, 4, Settings);
        Assert.Contains("chunk_rows = 3, this run has 4", Assert.Throws<InputException>(resized.Open).Message);
    }
}
