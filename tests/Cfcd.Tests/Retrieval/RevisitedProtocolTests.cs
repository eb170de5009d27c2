using Cfcd.Retrieval;

namespace Cfcd.Tests.Retrieval;

public class RevisitedProtocolTests
{
    [Fact]
    public void AveragePrecisionIsRevisitopsTrapezoid()
    {
        // (1 + 1)/2/3 + (1/2 + 2/3)/2/3 + (2/5 + 3/6)/2/3
        Assert.Equal(0.677778, RevisitedProtocol.AveragePrecision([0, 2, 5], 3), 6);
        Assert.Equal(1.0, RevisitedProtocol.AveragePrecision([0, 1, 2], 3), 12);
        // Only two of four positives retrieved in the list counts as recall 1/2 at most.
        Assert.Equal(((1.0 + 1.0) / 2 + (1.0 + 1.0) / 2) / 4, RevisitedProtocol.AveragePrecision([0, 1], 4), 12);
    }

    [Fact]
    public void PrecisionAtKFollowsTheKqRule()
    {
        // 1-based positions 2, 4, 7: kq = min(7, k).
        long[] positions = [1, 3, 6];
        Assert.Equal(0.0, RevisitedProtocol.PrecisionAt(positions, 1));
        Assert.Equal(2.0 / 5, RevisitedProtocol.PrecisionAt(positions, 5), 12);
        Assert.Equal(3.0 / 7, RevisitedProtocol.PrecisionAt(positions, 10), 12);
        // All positives within k: the precision is over the last positive's position, not k.
        Assert.Equal(1.0, RevisitedProtocol.PrecisionAt([0, 1], 10));
    }

    [Fact]
    public void JunkIsRemovedBeforePositionsAreCounted()
    {
        Assert.Equal([0L, 2L], RevisitedProtocol.PositionsWithoutJunk([4, 1], [0, 2]));
        Assert.Equal([0L, 1L], RevisitedProtocol.PositionsWithoutJunk([0, 5], [1, 2, 3, 4]));
    }

    [Fact]
    public void SetupsTakeTheRightLists()
    {
        var query = new QueryGroundTruth([0, 0, 1, 1], Easy: [1], Hard: [2], Junk: [3]);
        AssertLabels([1], [3, 2], RevisitedProtocol.Labels(query, Setup.Easy));
        AssertLabels([1, 2], [3], RevisitedProtocol.Labels(query, Setup.Medium));
        AssertLabels([2], [3, 1], RevisitedProtocol.Labels(query, Setup.Hard));
    }

    private static void AssertLabels(int[] positives, int[] junk, (int[] Positives, int[] Junk) labels)
    {
        Assert.Equal(positives, labels.Positives);
        Assert.Equal(junk, labels.Junk);
    }

    [Theory]
    [InlineData("roxford5k", 68)]
    [InlineData("rparis6k", 70)]
    public void TheOracleRankingScores100(string dataset, int easyQueries)
    {
        var gnd = GroundTruth.Load(TestPaths.RevisitopGroundTruth(dataset));
        // Easy first, then hard, then junk, then everything else.
        var oracle = gnd.Queries.Select(query => query.Easy.Concat(query.Hard).Concat(query.Junk)
            .Select((index, rank) => (index, rank)).ToDictionary(pair => pair.index, pair => (long)pair.rank))
                .ToArray();
        var scores = RevisitedProtocol.Score(gnd, (q, index) => oracle[q][index]);
        foreach (var setup in Enum.GetValues<Setup>())
        {
            Assert.Equal(100.0, scores[setup].MeanAveragePrecision, 9);
            Assert.All(scores[setup].MeanPrecisionAt, value => Assert.Equal(100.0, value, 9));
        }
        Assert.Equal(easyQueries, scores[Setup.Easy].ScoredQueries);
        Assert.Equal(70, scores[Setup.Medium].ScoredQueries);
    }
}
