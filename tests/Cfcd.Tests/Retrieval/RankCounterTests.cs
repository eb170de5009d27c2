using Cfcd.IO;
using Cfcd.Retrieval;
using Cfcd.Tests.IO;

namespace Cfcd.Tests.Retrieval;

public class RankCounterTests
{
    private static InMemoryFeatureRows Rows(string name, params float[] values) => new(name, values, 2);

    [Fact]
    public void RanksCountEveryRowAboveIncludingDistractors()
    {
        float[] query = [1, 0];
        // Scores: db 0.5, 0.9, 0.1, 0.9 (tie with row 1), distractors 0.95, 0.2, 0.7.
        var database = Rows("db", 0.5f, 0, 0.9f, 0, 0.1f, 0, 0.9f, 0);
        var distractors = Rows("r1m", 0.95f, 0, 0.2f, 0, 0.7f, 0);
        var ranks = RankCounter.Rank(query, 2, [[0, 1, 2, 3]], [database]);
        Assert.Equal([2L, 0L, 3L, 1L], ranks[0]);
        ranks = RankCounter.Rank(query, 2, [[0, 1, 2, 3]], [database, distractors]);
        Assert.Equal([4L, 1L, 6L, 2L], ranks[0]);
    }

    [Fact]
    public void ManyRowsAgreeWithAFullSort()
    {
        var random = new Random(7);
        int rows = 5000, dimensions = 8;
        var values = Enumerable.Range(0, rows * dimensions).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] queries = [.. Enumerable.Range(0, 2 * dimensions).Select(_ => (float)random.NextDouble() - 0.5f)];
        int[][] selected = [[0, 17, 4999, 2500], [3, 1234]];
        var ranks =
            RankCounter.Rank(queries, dimensions, selected, [new InMemoryFeatureRows("db", values, dimensions)]);
        for (int q = 0; q < 2; q++)
        {
            var scores = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, dimensions)
                .Sum(d => (double)queries[q * dimensions + d] * values[r * dimensions + d])).ToArray();
            var order = Enumerable.Range(0, rows).OrderByDescending(r => scores[r]).ThenBy(r => r).ToList();
            Assert.Equal(selected[q].Select(index => (long)order.IndexOf(index)), ranks[q]);
        }
    }

    [Fact]
    public void NonFiniteFeaturesAreNamed()
    {
        var database = Rows("db.npy", 0.5f, 0, float.NaN, 0);
        var error = Assert.Throws<InputException>(() => RankCounter.Rank([1, 0], 2, [[0]], [database]));
        Assert.Equal("db.npy: row 1 gives a non-finite similarity (NaN or infinite values in the features)",
            error.InnerException?.Message ?? error.Message);
    }
}
