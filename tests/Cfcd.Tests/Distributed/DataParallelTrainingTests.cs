using System.Diagnostics;
using Cfcd.IO;
using Cfcd.Tests.Cli;
using Cfcd.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace Cfcd.Tests.Distributed;

/// <summary>
/// `mpirun -np 2 cfcd train` against one process that splits each batch the same way (train.micro_batch and
/// train.ghost_bn of half the batch, one thread like each rank): stage 1 with HEP and stage 2 with all of DC-I-Net's
/// options end with the same weights, momentum, dictionary and centres; a rank killed mid-epoch stops the run, and
/// the same command resumes it to the weights of the uninterrupted run.
/// </summary>
public class DataParallelTrainingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public void TwoRanksTrainAsOneProcessSplittingTheBatchAndAKilledRankResumes()
    {
        string folder = TestPaths.NewTempFolder(), data = Path.Combine(folder, "synth");
        Cfcd(new Dictionary<string, string?>(), "synth", "--out", data, "--classes", "6", "--train-per-class", "4",
            "--val-per-class", "1", "--queries", "3", "--db", "9", "--size", "64");
        string stageOne = Path.Combine(folder, "stage1.yaml");
        File.WriteAllText(stageOne, TinyConfigYaml.StageOne(data));
        string[] split = ["--set", "train.epochs=3", "--set", "train.ghost_bn=4"];
        // HEP's pool (4 of the 6 classes) takes every rank's labels and hard classes.
        string[] hep = ["--set", "loss.hep.enabled=true", "--set", "loss.hep.top_k=1", "--set", "loss.hep.pool_size=4"];

        var mpi = new MpiRun();
        string[] parallel = ["train", "--config", stageOne, .. split, .. hep, "--out", Path.Combine(folder, "two")];
        Succeeded(mpi.Run(2, Limit, parallel), parallel);
        Cfcd(OneThread, ["train", "--config", stageOne, .. split, .. hep, "--set", "train.micro_batch=4", "--out",
            Path.Combine(folder, "one")]);
        AssertSameWeights(Path.Combine(folder, "one"), Path.Combine(folder, "two"), "stage 1 with HEP");

        string scores = Path.Combine(folder, "scores.txt");
        string stageOneWeights = new RunFolder(Path.Combine(folder, "one")).LastCheckpoint;
        Cfcd(OneThread, "score", "--config", stageOne, "--weights", stageOneWeights, "--out", scores);
        string stageTwo = Path.Combine(folder, "stage2.yaml");
        File.WriteAllText(stageTwo, TinyConfigYaml.StageTwo(data, scores, stageOneWeights));
        // Stage 2 with DC-I-Net's feature dictionary and class centres too: both take every rank's embeddings; the
        // centres choose HEP's hard classes (and would choose tuple negatives from the second epoch on).
        string[] dictionary =
        [
            "--set", "loss.olp.enabled=true", "--set", "loss.olp.queue_size=12", "--set", "loss.centers.enabled=true",
            .. hep, "--set", "loss.hep.hard_classes=centers", "--set", "sampler.hard_negatives=centers",
        ];
        string[] stageTwoParallel =
            ["train", "--config", stageTwo, .. dictionary, "--out", Path.Combine(folder, "two2")];
        Succeeded(mpi.Run(2, Limit, stageTwoParallel), stageTwoParallel);
        Cfcd(OneThread, ["train", "--config", stageTwo, .. dictionary, "--set", "train.micro_batch=4", "--out",
            Path.Combine(folder, "one2")]);
        AssertSameWeights(Path.Combine(folder, "one2"), Path.Combine(folder, "two2"), "stage 2 with OLP, centres, HEP");

        KilledRankStopsTheRunAndItResumes(folder, stageOne, [.. split, .. hep]);
        StoppedRankIsNamedWithinTheTimeout(folder, stageOne, split);
        AFolderInUseStopsEveryRankAtOnce(folder, stageOne);
    }

    /// <summary>Rank 0's error (here the run folder's lock) does not leave rank 1 waiting for it.</summary>
    private void AFolderInUseStopsEveryRankAtOnce(string folder, string config)
    {
        string run = Path.Combine(folder, "in-use");
        using var held = RunFolderLock.Acquire(run);
        string[] args = ["train", "--config", config, "--out", run];
        var clock = Stopwatch.StartNew();
        var result = new MpiRun().Run(2, Limit, args);
        output.WriteLine($"folder in use: mpirun exit {result.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"cfcd train: {run}: in use by another cfcd train", result.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the run took {clock.Elapsed} to stop");
    }

    /// <summary>A rank that hangs (SIGSTOP) is not noticed by mpirun; the collective's timeout names it.</summary>
    private void StoppedRankIsNamedWithinTheTimeout(string folder, string config, string[] split)
    {
        string run = Path.Combine(folder, "stopped");
        string[] args = ["train", "--config", config, .. split, "--set", "train.collective_timeout_s=3", "--out", run];
        var mpi = new MpiRun();
        using var process = mpi.Start(2, args);
        string metrics = new RunFolder(run).Metrics;
        while (!(File.Exists(metrics) && File.ReadLines(metrics).Count() > 2) && !process.HasExited)
            Thread.Sleep(20);
        int rank = mpi.ProcessOf(1) ?? throw new InvalidOperationException("rank 1 is not running");
        using (var stop = Process.Start("kill", ["-STOP", rank.ToString()]))
            stop.WaitForExit();
        var clock = Stopwatch.StartNew();
        var stopped = MpiRun.Finish(process, Limit, args);
        output.WriteLine($"stopped rank 1: mpirun exit {stopped.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s\n" +
                         stopped.Error);
        Assert.NotEqual(0, stopped.ExitCode);
        Assert.Contains("rank 1 did not arrive", stopped.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the run took {clock.Elapsed} to stop");
    }

    private void KilledRankStopsTheRunAndItResumes(string folder, string config, string[] split)
    {
        string run = Path.Combine(folder, "killed");
        string[] args = ["train", "--config", config, .. split, "--set", "train.checkpoint_every=2", "--out", run];
        var mpi = new MpiRun();
        var clock = Stopwatch.StartNew();
        using (var process = mpi.Start(2, args))
        {
            // Mid-epoch 2: past the first epoch's checkpoint, before the end of the run.
            string metrics = new RunFolder(run).Metrics;
            while (!(File.Exists(metrics) && File.ReadLines(metrics).Count() > 4) && !process.HasExited)
                Thread.Sleep(20);
            int rank = mpi.ProcessOf(1) ?? throw new InvalidOperationException("rank 1 is not running");
            Process.GetProcessById(rank).Kill();
            clock.Restart();
            var stopped = MpiRun.Finish(process, Limit, args);
            output.WriteLine($"killed rank 1: mpirun exit {stopped.ExitCode} after {clock.Elapsed.TotalSeconds:F1} " +
                             $"s\n{stopped.Error}");
            Assert.NotEqual(0, stopped.ExitCode);
            Assert.Contains("rank 1", stopped.Out + stopped.Error);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the run took {clock.Elapsed} to stop");
        }
        Succeeded(mpi.Run(2, Limit, args), args);
        AssertSameWeights(Path.Combine(folder, "two"), run, "killed and resumed");
    }

    private static readonly Dictionary<string, string?> OneThread = new() { ["OMP_NUM_THREADS"] = "1" };

    private void AssertSameWeights(string expectedRun, string actualRun, string what)
    {
        var expected = SafeTensors.Read(new RunFolder(expectedRun).LastCheckpoint).Tensors;
        var actual = SafeTensors.Read(new RunFolder(actualRun).LastCheckpoint).Tensors;
        double worst = 0;
        foreach (var (name, tensor) in expected.Where(entry => entry.Value.is_floating_point()
                                                               && !entry.Key.Contains("running_")))
        {
            using var scope = torch.NewDisposeScope();
            double scale = Math.Max(tensor.abs().max().ToDouble(), 1e-12);
            worst = Math.Max(worst, (tensor - actual[name]).abs().max().ToDouble() / scale);
        }
        output.WriteLine($"{what}: parameters' max relative difference {worst:G3}");
        Assert.True(worst < 1e-4, $"{what}: parameters differ by {worst:G3} (relative)");
    }

    private static void Succeeded(CliRunner.Result result, string[] args) =>
        Assert.True(result.ExitCode == 0, $"mpirun cfcd {string.Join(' ', args)}: exit {result.ExitCode}\n" +
                                          $"{result.Out}\n{result.Error}");

    private static void Cfcd(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var result = CfcdProcess.Run(AppContext.BaseDirectory, environment, Limit, args);
        Assert.True(result.ExitCode == 0, $"cfcd {string.Join(' ', args)}: exit {result.ExitCode}\n{result.Error}");
    }
}
