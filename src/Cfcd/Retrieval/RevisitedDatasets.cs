namespace Cfcd.Retrieval;

/// <summary>The revisited data sets cfcd evaluates on, their aliases and where their ground truth lives.</summary>
public static class RevisitedDatasets
{
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["roxford5k"] = "roxford5k",
        ["roxford"] = "roxford5k",
        ["rparis6k"] = "rparis6k",
        ["rparis"] = "rparis6k",
        // The test set `cfcd synth` writes, in the same layout.
        ["synth"] = "synth",
    };

    /// <summary>The canonical name (`roxford5k`, `rparis6k`, `synth`) of a name or alias.</summary>
    public static string Canonical(string name) =>
        Aliases.TryGetValue(name, out string? canonical) ? canonical
            : throw new InputException($"unknown data set '{name}' (known: {string.Join(", ", Aliases.Keys)})");

    /// <summary>Finds `gnd_<name>.pkl` as revisitop lays it out (`<root>/<name>/`) or directly under the root.</summary>
    public static string FindGroundTruth(string dataRoot, string name)
    {
        string fileName = $"gnd_{name}.pkl";
        string[] candidates = [Path.Combine(dataRoot, name, fileName), Path.Combine(dataRoot, fileName)];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InputException($"{dataRoot}: no {fileName} (looked for {string.Join(" and ", candidates)}); give --gnd FILE");
    }

    /// <summary>
    /// The feature files <c>cfcd extract --dataset</c> writes and the images of each, in ground-truth order: for
    /// ROxford / RParis (and synth) <c>&lt;name&gt;_query</c> (query images cropped to their bbx) and
    /// <c>&lt;name&gt;_db</c>; for revisitop1m the distractors, <c>revisitop1m</c>.
    /// </summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<ExtractionItem> Items)> ExtractionParts(string dataRoot, string dataset)
    {
        if (dataset == Distractors)
            return [(Distractors, Data.RevisitedImages.DistractorPaths(dataRoot).Select(path => new ExtractionItem(path)).ToList())];
        string name = Canonical(dataset);
        var images = Data.RevisitedImages.Load(dataRoot, name);
        var queries = Enumerable.Range(0, images.GroundTruth.Queries.Count).Select(q => new ExtractionItem(images.QueryPath(q), images.QueryBox(q))).ToList();
        var database = Enumerable.Range(0, images.GroundTruth.DatabaseNames.Count).Select(i => new ExtractionItem(images.DatabasePath(i))).ToList();
        return [($"{name}_query", queries), ($"{name}_db", database)];
    }

    /// <summary>The R1M distractor set's name (its features: <c>revisitop1m.npy</c>).</summary>
    public const string Distractors = "revisitop1m";
}
