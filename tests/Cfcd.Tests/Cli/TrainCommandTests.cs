using System.Diagnostics;
using System.Runtime.InteropServices;
using Cfcd.Cli;
using Cfcd.Config;
using Cfcd.Data.Synthetic;
using Cfcd.Tests.Training;
using Cfcd.Training;

namespace Cfcd.Tests.Cli;

/// <summary>The two CFCD stages from the command line on a tiny synthetic set: train stage 1, score, train stage
/// 2.</summary>
public partial class TrainCommandTests(TinyTrainingRun tiny) : IClassFixture<TinyTrainingRun>
{
    [Fact]
    public void StageOneScoreAndStageTwoRunFromTheCommandLine()
    {
        string folder = TestPaths.NewTempFolder();
        string data = Path.Combine(folder, "synth");
        var synth = CliRunner.Run("synth", "--out", data, "--classes", "8", "--train-per-class", "4", "--val-per-class",
            "1", "--queries", "2", "--db", "2", "--size", "64");
        Assert.Equal(ExitCodes.Success, synth.ExitCode);

        string stageOne = Path.Combine(folder, "stage1.yaml");
        File.WriteAllText(stageOne, TinyConfigYaml.StageOne(data));
        string runOne = Path.Combine(folder, "run1");
        var trained = CliRunner.Run("train", "--config", stageOne, "--out", runOne);
        Assert.True(trained.ExitCode == ExitCodes.Success, trained.Error);
        Assert.StartsWith("train: stage 1 done, 2 epochs, 8 steps; validation top-1", trained.Out);
        string checkpoint = new RunFolder(runOne).LastCheckpoint;
        Assert.True(File.Exists(checkpoint));
        string log = File.ReadAllText(Path.Combine(runOne, CliLogging.LogFileName));
        Assert.Matches(@"CPU kernels: (onednn|onednn-avx|aten) \(", log);

        string scores = Path.Combine(folder, "scores.txt");
        var scored = CliRunner.Run("score", "--config", stageOne, "--weights", checkpoint, "--out", scores);
        Assert.True(scored.ExitCode == ExitCodes.Success, scored.Error);
        Assert.StartsWith("score: wrote 32 predictions", scored.Out);
        var lines = File.ReadAllLines(scores);
        Assert.Equal(File.ReadAllLines(Path.Combine(data, SyntheticDataset.TrainList))
            .Select(line => line.Split(' ')[0]), lines.Select(line => line.Split(' ')[0]));
        Assert.All(lines, line => Assert.InRange(int.Parse(line.Split(' ')[2]), 0, 7));

        string stageTwo = Path.Combine(folder, "stage2.yaml");
        File.WriteAllText(stageTwo, TinyConfigYaml.StageTwo(data, scores, checkpoint));
        string runTwo = Path.Combine(folder, "run2");
        var second = CliRunner.Run("train", "--config", stageTwo, "--out", runTwo);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.StartsWith("train: stage 2 done, 1 epochs, 4 steps", second.Out);
        var rows =
            MetricsLog.Read(new RunFolder(runTwo).Metrics).Where(row => row.Phase == MetricsRow.TrainPhase).ToList();
        Assert.All(rows, row => Assert.True(row[MetricsRow.LocalLoss] >= 0 && row[MetricsRow.MatchesPerTuple] >= 0));
        Assert.Contains(rows, row => row[MetricsRow.MatchesPerTuple] > 0);

        // Running the finished stage again resumes at its end and does nothing more.
        var again = CliRunner.Run("train", "--config", stageTwo, "--out", runTwo, "--resume");
        Assert.True(again.ExitCode == ExitCodes.Success, again.Error);
        Assert.StartsWith("train: stage 2 done, 1 epochs, 4 steps", again.Out);
    }

    [Fact]
    public void ScoringNeedsWeightsWithTheTrainingListsClassifier()
    {
        string folder = TestPaths.NewTempFolder();
        File.WriteAllText(Path.Combine(folder, "train_list.txt"),
            $"{TestPaths.Fixture("Data", "gray.jpg")} 0\n{TestPaths.Fixture("Data", "cmyk.jpg")} 1\n");
        File.WriteAllText(Path.Combine(folder, "val_list.txt"), "");
        string config = Path.Combine(folder, "c.yaml");
        File.WriteAllText(config, TinyConfigYaml.With(folder, "train:\n  device: cpu\n"));
        var result = CliRunner.Run("score", "--config", config, "--weights",
            TestPaths.Fixture("Modeling", "cfcd_r50w4.pyth"), "--out", Path.Combine(folder, "s.txt"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("cfcd_r50w4.pyth: scoring needs the stage-1 classifier for the 2 classes", result.Error);
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [Fact]
    public void ASignalStopsTrainingAfterTheCurrentStepWithACheckpoint()
    {
        if (!OperatingSystem.IsLinux())
            return;
        string folder = TestPaths.NewTempFolder();
        string config = Path.Combine(folder, "long.yaml");
        var longRun = tiny.Config(epochs: 200);
        File.WriteAllText(config, ConfigWriter.ToYaml(longRun with { Train = longRun.Train with { LogEvery = 1 } }));
        string run = Path.Combine(folder, "run");
        var start = new ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "cfcd.dll"), "train", "--config", config, "--out", run])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var errors = new List<string>();
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null)
        {
            errors.Add(line);
            if (line.Contains("epoch 1/200 step 2/", StringComparison.Ordinal))
                break;
        }
        Assert.True(line is not null, string.Join('\n', errors));
        // SIGTERM: what a scheduler sends; Ctrl+C's SIGINT takes the same path
        Assert.Equal(0, Kill(process.Id, 15));
        errors.AddRange(process.StandardError.ReadToEnd().Split('\n'));
        Assert.True(process.WaitForExit(60_000));
        Assert.True(process.ExitCode == ExitCodes.Cancelled, string.Join('\n', errors));
        Assert.Contains(errors, text => text.Contains("the same command resumes it", StringComparison.Ordinal));
        var position = TrainingCheckpoint.Peek(new RunFolder(run).LastCheckpoint);
        Assert.NotNull(position);
        Assert.True(position.GlobalStep >= 2);
    }
}
