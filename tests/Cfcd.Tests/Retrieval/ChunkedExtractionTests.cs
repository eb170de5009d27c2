using Cfcd.Distributed;
using Cfcd.Retrieval;

namespace Cfcd.Tests.Retrieval;

public class ChunkedExtractionTests
{
    [Fact]
    public void EachProcessOfALaunchTakesTheShardOfItsRank()
    {
        var shards = Enumerable.Range(0, 3).Select(rank => Shard.For(new ProcessLaunch(rank, 3, 0, "srun"))).ToList();
        Assert.Equal([new Shard(0, 3), new Shard(1, 3), new Shard(2, 3)], shards);
        Assert.All(Enumerable.Range(0, 10), chunk => Assert.Single(shards, shard => shard.Owns(chunk)));
    }

    [Fact]
    public void AProcessStartedByHandTakesEveryChunk() =>
        Assert.Equal(Shard.All, Shard.For(ProcessLaunch.Single));
}
