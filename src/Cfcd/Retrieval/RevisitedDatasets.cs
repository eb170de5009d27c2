namespace Cfcd.Retrieval;

/// <summary>The revisited data sets cfcd evaluates on, their aliases and where their ground truth lives.</summary>
public static class RevisitedDatasets
{
    public static readonly IReadOnlyDictionary<string, string> Aliases =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
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

    /// <summary>Finds `gnd_<name>.pkl` as revisitop lays it out (`<root>/<name>/`) or directly under the
    /// root.</summary>
    public static string FindGroundTruth(string dataRoot, string name)
    {
        string fileName = $"gnd_{name}.pkl";
        string[] candidates = [Path.Combine(dataRoot, name, fileName), Path.Combine(dataRoot, fileName)];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InputException($"{dataRoot}: no {fileName} (looked for {string.Join(" and ", candidates)}); " +
                                        "give --gnd FILE");
    }

    /// <summary>The R1M distractor set's name (its features: <c>revisitop1m.npy</c>).</summary>
    public const string Distractors = "revisitop1m";
}
