using Cfcd.Data.Synthetic;

namespace Cfcd.Tests.Data.Synthetic;

public class SyntheticRandomTests
{
    [Fact]
    public void TheStreamIsPinnedSoDataSetsStayReproducible()
    {
        // SplitMix64 seeded by the explicit mix of (1, TrainScene, 0, 0); a change here changes every data set.
        Assert.Equal(0x5FCD163E186490A5UL, SyntheticRandom.For(1, RandomStream.TrainScene, 0, 0).NextUInt64());
    }

    [Fact]
    public void EveryPartOfTheKeySelectsAnotherStream()
    {
        ulong First(int seed, RandomStream stream, int group, int index) =>
            SyntheticRandom.For(seed, stream, group, index).NextUInt64();
        ulong reference = First(3, RandomStream.DatabaseView, 4, 5);
        Assert.Equal(reference, First(3, RandomStream.DatabaseView, 4, 5));
        Assert.NotEqual(reference, First(4, RandomStream.DatabaseView, 4, 5));
        Assert.NotEqual(reference, First(3, RandomStream.QueryView, 4, 5));
        Assert.NotEqual(reference, First(3, RandomStream.DatabaseView, 5, 4));
        Assert.NotEqual(reference, First(3, RandomStream.DatabaseView, 4, 6));
    }

    [Fact]
    public void DrawsStayInTheirRanges()
    {
        var random = SyntheticRandom.For(9, RandomStream.TrainView, 0, 0);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.InRange(random.NextDouble(), 0, 0.9999999999);
            Assert.InRange(random.Range(-2, 3), -2, 3);
            Assert.InRange(random.Between(2, 4), 2, 4);
            Assert.InRange(random.Weighted(1, 0, 2), 0, 2);
            Assert.NotEqual(1, random.Weighted(1, 0, 2));
        }
    }
}
