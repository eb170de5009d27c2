using System.Text.Json;
using Cfcd.Cli;
using Cfcd.IO;

namespace Cfcd.Tests.Cli;

public class EvalCommandTests
{
    private static readonly string Features = TestPaths.Fixture("Retrieval");

    [Fact]
    public void PrintsTheTableAndWritesJson()
    {
        string json = Path.Combine(TestPaths.NewTempFolder(), "scores.json");
        var result = CliRunner.Run("eval", "roxford", "--features", Features, "--data-root", TestPaths.RevisitopRoot,
            "--json", json);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("roxford5k: 70 queries, 4,993 database images", result.Out);
        Assert.Matches(@"(?m)^Easy\s+10\.83\s+10\.29\s+12\.40\s+10\.64\s+68$", result.Out);
        Assert.Matches(@"(?m)^Hard\s+3\.74\s", result.Out);
        using var written = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(10.8348980139628, written.RootElement.GetProperty("mAP").GetProperty("easy").GetDouble(), 9);
    }

    [Fact]
    public void DistractorsAreAppendedToTheDatabase()
    {
        string folder = TestPaths.NewTempFolder();
        string distractors = Path.Combine(folder, "r1m.npy");
        var (database, rows, columns) = Npy.ReadMatrix(Path.Combine(Features, "roxford5k_db.npy"));
        Npy.WriteMatrix(distractors, database, rows, columns); // every image again, as a distractor
        var result = CliRunner.Run("eval", "roxford5k", "--query", Path.Combine(Features, "roxford5k_query.npy"),
            "--db", Path.Combine(Features, "roxford5k_db.npy"), "--distractors", distractors,
            "--gnd", TestPaths.RevisitopGroundTruth("roxford5k"), "--json", Path.Combine(folder, "s.json"));
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("+ 4,993 distractors", result.Out);
        using var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "s.json")));
        Assert.Equal(4993, written.RootElement.GetProperty("distractors").GetInt32());
        Assert.True(written.RootElement.GetProperty("mAP").GetProperty("medium").GetDouble() < 10.652187990487553);
    }

    [Fact]
    public void BadInputsAreOneLineWithExitCode2()
    {
        string folder = TestPaths.NewTempFolder();
        string gnd = TestPaths.RevisitopGroundTruth("roxford5k");
        string query = Path.Combine(Features, "roxford5k_query.npy");
        string rparisDb = Path.Combine(Features, "rparis6k_db.npy");

        string narrow = Path.Combine(folder, "narrow.npy");
        Npy.WriteMatrix(narrow, new float[70 * 4], 70, 4);
        string nan = Path.Combine(folder, "nan.npy");
        var (queries, rows, columns) = Npy.ReadMatrix(query);
        queries[5 * columns + 1] = float.NaN;
        Npy.WriteMatrix(nan, queries, rows, columns);
        string truncatedGnd = Path.Combine(folder, "gnd_roxford5k.pkl");
        File.WriteAllBytes(truncatedGnd, File.ReadAllBytes(gnd)[..1000]);

        (string[] Args, string Expected)[] cases =
        [
            (["--query", query, "--db", rparisDb, "--gnd", gnd],
                $"{rparisDb}: 6322 database rows, but the ground truth lists 4993 images"),
            (["--query", query, "--db", Path.Combine(Features, "roxford5k_db.npy"), "--gnd", gnd, "--distractors",
                narrow], $"{narrow}: 4-d descriptors, but {query} has 16-d"),
            (["--query", nan, "--db", Path.Combine(Features, "roxford5k_db.npy"), "--gnd", gnd],
                $"{nan}: row 5 has NaN or infinite values"),
            (["--query", query, "--db", Path.Combine(folder, "missing.npy"), "--gnd", gnd],
                $"{Path.Combine(folder, "missing.npy")}: cannot open"),
            (["--features", Features, "--gnd", truncatedGnd], $"{truncatedGnd}: pickle offset"),
            (["--features", Features, "--data-root", folder + "/nowhere"], $"{folder}/nowhere: no gnd_roxford5k.pkl"),
        ];
        foreach (var (args, expected) in cases)
        {
            var result = CliRunner.Run(["eval", "roxford", .. args]);
            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            Assert.StartsWith("cfcd eval: " + expected, result.Error);
            Assert.Single(result.Error.TrimEnd().Split('\n'));
        }
    }
}
