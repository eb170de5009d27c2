using System.Diagnostics;
using Cfcd.Tests.Cli;
using Cfcd.Training;

namespace Cfcd.Tests.Training;

public class RunFolderLockTests
{
    [Fact]
    public void AHeldFolderIsRefusedNamingTheHolderAndIsFreeOnceReleased()
    {
        string run = Path.Combine(TestPaths.NewTempFolder(), "run");
        using (RunFolderLock.Acquire(run))
        {
            var error = Assert.Throws<InputException>(() => RunFolderLock.Acquire(run));
            Assert.StartsWith($"{run}: in use by another cfcd train (pid {Environment.ProcessId} on ", error.Message);
            Assert.EndsWith("; wait for it or use another --out", error.Message);
        }
        RunFolderLock.Acquire(run).Dispose();
    }

    [Fact]
    public void AKilledHolderGivesTheFolderUp()
    {
        string run = TestPaths.NewTempFolder();
        string lockFile = Path.Combine(run, RunFolderLock.FileName);
        // Without --nonblock: should a poll below hold the lock for a moment, flock(1) waits for it.
        using var holder = Process.Start("flock", [lockFile, "sleep", "60"]);
        var clock = Stopwatch.StartNew();
        while (!IsHeld(run) && clock.Elapsed < TimeSpan.FromSeconds(10))
            Thread.Sleep(20);
        Assert.True(IsHeld(run), "flock(1) did not take the lock");
        // flock(1) runs sleep with the lock's descriptor: the lock goes when both are gone.
        holder.Kill(entireProcessTree: true);
        holder.WaitForExit();
        clock.Restart();
        while (IsHeld(run) && clock.Elapsed < TimeSpan.FromSeconds(10))
            Thread.Sleep(20);
        RunFolderLock.Acquire(run).Dispose();
    }

    [Fact]
    public void ASecondTrainingRunOnAFolderInUseExitsWithCodeTwo()
    {
        string folder = TestPaths.NewTempFolder(), data = Path.Combine(folder, "synth");
        Assert.Equal(0, CliRunner.Run("synth", "--out", data, "--classes", "3", "--train-per-class", "2",
            "--val-per-class", "1", "--queries", "1", "--db", "3", "--size", "48").ExitCode);
        string config = Path.Combine(folder, "stage1.yaml"), run = Path.Combine(folder, "run");
        File.WriteAllText(config, TinyConfigYaml.StageOne(data));
        using var held = RunFolderLock.Acquire(run);
        var result = CliRunner.Run("train", "--config", config, "--out", run);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"cfcd train: {run}: in use by another cfcd train (pid ", result.Error);
        Assert.False(File.Exists(Path.Combine(run, "metrics.csv")));
    }

    private static bool IsHeld(string run)
    {
        try
        {
            RunFolderLock.Acquire(run).Dispose();
            return false;
        }
        catch (InputException)
        {
            return true;
        }
    }
}
