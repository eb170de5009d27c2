using System.Text.Json;
using Cfcd.Retrieval;

namespace Cfcd.Tests.Retrieval;

/// <summary>Against revisitop's own compute_map on the same descriptors (scripts/make_eval_fixture.py).</summary>
public class RevisitedEvaluationTests
{
    [Theory]
    [InlineData("roxford5k")]
    [InlineData("rparis6k")]
    public void MatchesRevisitopOnGoldenDescriptors(string dataset)
    {
        var result = RevisitedEvaluation.Run(dataset, GroundTruth.Load(TestPaths.RevisitopGroundTruth(dataset)),
            TestPaths.Fixture("Retrieval", $"{dataset}_query.npy"),
                TestPaths.Fixture("Retrieval", $"{dataset}_db.npy"));
        using var expected =
            JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("Retrieval", $"{dataset}_expected.json")));
        using var actual = JsonDocument.Parse(result.ToJson());
        foreach (string setup in new[] { "easy", "medium", "hard" })
        {
            Assert.Equal(expected.RootElement.GetProperty("mAP").GetProperty(setup).GetDouble(),
                actual.RootElement.GetProperty("mAP").GetProperty(setup).GetDouble(), 9);
            var expectedPrecision = expected.RootElement.GetProperty("mP@k").GetProperty(setup).EnumerateArray()
                .Select(value => value.GetDouble()).ToArray();
            var actualPrecision = actual.RootElement.GetProperty("mP@k").GetProperty(setup).EnumerateArray()
                .Select(value => value.GetDouble()).ToArray();
            Assert.Equal(expectedPrecision, actualPrecision, (a, b) => Math.Abs(a - b) < 1e-9);
        }
        Assert.Equal(dataset, actual.RootElement.GetProperty("dataset").GetString());
        Assert.Equal(70, actual.RootElement.GetProperty("queries").GetInt32());
        Assert.Equal(expected.RootElement.GetProperty("db").GetInt32(),
            actual.RootElement.GetProperty("db").GetInt32());
        Assert.Equal([1, 5, 10],
            actual.RootElement.GetProperty("mP@k").GetProperty("k").EnumerateArray().Select(k => k.GetInt32()));
    }
}
