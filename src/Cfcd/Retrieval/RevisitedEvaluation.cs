using System.Text.Json;
using System.Text.Json.Nodes;
using Cfcd.IO;

namespace Cfcd.Retrieval;

/// <summary>The scores of one evaluation, in the layout of docs/architecture.md section 3.</summary>
public sealed record EvaluationResult(string Dataset, int Queries, long Database, long Distractors,
    IReadOnlyDictionary<Setup, SetupScores> Scores)
{
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["dataset"] = Dataset,
            ["queries"] = Queries,
            ["db"] = Database,
        };
        if (Distractors > 0)
            json["distractors"] = Distractors;
        json["mAP"] = new JsonObject(Scores.Select(pair =>
            KeyValuePair.Create(Key(pair.Key), (JsonNode?)pair.Value.MeanAveragePrecision)));
        var precision = new JsonObject
        {
            ["k"] = new JsonArray(RevisitedProtocol.Kappas.Select(k => (JsonNode?)k).ToArray()),
        };
        foreach (var (setup, scores) in Scores)
            precision[Key(setup)] = new JsonArray(scores.MeanPrecisionAt.Select(value => (JsonNode?)value).ToArray());
        json["mP@k"] = precision;
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string Key(Setup setup) => setup.ToString().ToLowerInvariant();
}

/// <summary>Evaluates query and database descriptors (.npy) against a revisited ground truth.</summary>
public static class RevisitedEvaluation
{
    public static EvaluationResult Run(string dataset, GroundTruth groundTruth, string queryPath, string databasePath,
        string? distractorPath = null,
        IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        var (queries, queryRows, dimensions) = Npy.ReadMatrix(queryPath);
        for (int i = 0; i < queries.Length; i++)
            if (!float.IsFinite(queries[i]))
                throw new InputException($"{queryPath}: row {i / dimensions} has NaN or infinite values");
        if (queryRows != groundTruth.Queries.Count)
            throw new InputException($"{queryPath}: {queryRows} query rows, but the ground truth has " +
                                     $"{groundTruth.Queries.Count} queries");

        var sources = new List<MappedNpyMatrix>();
        try
        {
            sources.Add(Open(databasePath, dimensions, queryPath));
            if (sources[0].Rows != groundTruth.DatabaseNames.Count)
                throw new InputException($"{databasePath}: {sources[0].Rows} database rows, but the ground truth " +
                                         $"lists {groundTruth.DatabaseNames.Count} images");
            if (distractorPath != null)
                sources.Add(Open(distractorPath, dimensions, queryPath));

            var selected = groundTruth.Queries.Select(query =>
                query.Easy.Concat(query.Hard).Concat(query.Junk).Distinct().ToArray()).ToArray();
            var ranks = RankCounter.Rank(queries, dimensions, selected, sources, progress, cancellation);
            var rankByIndex = selected.Select((indices, q) =>
                indices.Zip(ranks[q]).ToDictionary(pair => pair.First, pair => pair.Second)).ToArray();
            var scores = RevisitedProtocol.Score(groundTruth, (q, index) => rankByIndex[q][index]);
            return new EvaluationResult(dataset, queryRows, sources[0].Rows,
                distractorPath != null ? sources[1].Rows : 0, scores);
        }
        finally
        {
            foreach (var source in sources)
                source.Dispose();
        }
    }

    private static MappedNpyMatrix Open(string path, int dimensions, string queryPath)
    {
        var matrix = new MappedNpyMatrix(path);
        if (matrix.Columns != dimensions)
        {
            matrix.Dispose();
            throw new InputException($"{path}: {matrix.Columns}-d descriptors, but {queryPath} has {dimensions}-d");
        }
        return matrix;
    }
}
