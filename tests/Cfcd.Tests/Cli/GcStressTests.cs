using Cfcd.IO;
using Cfcd.Native;
using Cfcd.Training;

namespace Cfcd.Tests.Cli;

/// <summary>
/// The short form of the garbage-collection stress check: the two training stages, scoring, extraction and
/// evaluation as cfcd processes, once plainly and once with CFCD_GC_STRESS=1 (collections forced in a loop on
/// another thread); weights, features and mAP must come out bitwise the same.
/// </summary>
public class GcStressTests
{
    [Fact]
    public void StressChangesNothingFromTrainingToMeanAveragePrecision()
    {
        string folder = TestPaths.NewTempFolder(), data = Path.Combine(folder, "synth");
        Cfcd(false, "synth", "--out", data, "--classes", "6", "--train-per-class", "4", "--val-per-class", "1",
            "--queries", "3", "--db", "9", "--size", "64");
        var plain = Pipeline(folder, data, stress: false);
        var stressed = Pipeline(folder, data, stress: true);

        foreach (string checkpoint in new[] { "run1", "run2" })
        {
            string expected = new RunFolder(Path.Combine(plain, checkpoint)).LastCheckpoint;
            string actual = new RunFolder(Path.Combine(stressed, checkpoint)).LastCheckpoint;
            Golden.AssertSameTensors(SafeTensors.Read(expected).Tensors, SafeTensors.Read(actual).Tensors);
        }
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(plain, "scores.txt")),
            File.ReadAllBytes(Path.Combine(stressed, "scores.txt")));
        foreach (string features in new[] { "synth_query.npy", "synth_db.npy" })
            Assert.Equal(
                File.ReadAllBytes(Path.Combine(plain, "features", features)),
                File.ReadAllBytes(Path.Combine(stressed, "features", features)));
        Assert.Equal(
            File.ReadAllText(Path.Combine(plain, "eval.txt")),
            File.ReadAllText(Path.Combine(stressed, "eval.txt")));
    }

    private static string Pipeline(string folder, string data, bool stress)
    {
        string run = Path.Combine(folder, stress ? "stressed" : "plain");
        Directory.CreateDirectory(run);
        string stageOne = Path.Combine(run, "stage1.yaml");
        File.WriteAllText(stageOne, TinyConfigYaml.StageOne(data));
        Cfcd(stress, "train", "--config", stageOne, "--out", Path.Combine(run, "run1"));
        string checkpoint = new RunFolder(Path.Combine(run, "run1")).LastCheckpoint;
        string scores = Path.Combine(run, "scores.txt");
        Cfcd(stress, "score", "--config", stageOne, "--weights", checkpoint, "--out", scores);
        string stageTwo = Path.Combine(run, "stage2.yaml");
        File.WriteAllText(stageTwo, TinyConfigYaml.StageTwo(data, scores, checkpoint));
        Cfcd(stress, "train", "--config", stageTwo, "--out", Path.Combine(run, "run2"));
        string features = Path.Combine(run, "features");
        Cfcd(stress, "extract", "--weights", new RunFolder(Path.Combine(run, "run2")).LastCheckpoint,
            "--dataset", "synth", "--data-root", data, "--out", features, "--scales", "0.7071,1,1.4142");
        File.WriteAllText(
            Path.Combine(run, "eval.txt"),
            Cfcd(stress, "eval", "synth", "--features", features, "--data-root", data));
        return run;
    }

    /// <summary>
    /// Runs cfcd as its own process (stress applies to a whole process) and returns its standard output.
    /// </summary>
    private static string Cfcd(bool stress, params string[] args)
    {
        var environment = new Dictionary<string, string?> { [GcStress.Variable] = stress ? "1" : null };
        var result = CfcdProcess.Run(AppContext.BaseDirectory, environment, TimeSpan.FromMinutes(5), args);
        Assert.True(
            result.ExitCode == 0,
            $"cfcd {string.Join(' ', args)} (stress {stress}): exit {result.ExitCode}\n{result.Error}");
        Assert.Equal(
            stress,
            System.Text.RegularExpressions.Regex.IsMatch(
                result.Error, @"CFCD_GC_STRESS=1: [1-9]\d* collections forced"));
        return result.Out;
    }
}
