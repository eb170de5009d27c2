using System.Diagnostics;
using Cfcd.Tests.Cli;

namespace Cfcd.Tests.Distributed;

/// <summary>
/// Runs cfcd under Open MPI's mpirun, one thread per process, as a user would launch it. Why: data-parallel
/// training is a property of several processes, tested as such. .ci/run installs openmpi-bin.
/// </summary>
internal sealed class MpiRun
{
    /// <summary>A variable every process of the run carries, so a test can find one rank's process.</summary>
    public const string MarkVariable = "CFCD_TEST_RUN";

    public string Mark { get; } = Guid.NewGuid().ToString("N");

    public Process Start(int processes, params string[] args)
    {
        string mpirun = new[] { "/usr/bin/mpirun", "/usr/local/bin/mpirun" }.FirstOrDefault(File.Exists)
                        ?? throw new InvalidOperationException("mpirun is not installed: apt-get install openmpi-bin " +
                                                               "libopenmpi3 (.ci/run does)");
        var start = new ProcessStartInfo(mpirun,
        [
            "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", processes.ToString(),
            "-x", "OMP_NUM_THREADS=1", "-x", $"{MarkVariable}={Mark}",
            "dotnet", Path.Combine(AppContext.BaseDirectory, "cfcd.dll"), .. args,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Containers often forbid the cross-process memory attach of Open MPI's shared-memory transport.
        start.Environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none";
        return Process.Start(start)!;
    }

    public CliRunner.Result Run(int processes, TimeSpan timeout, params string[] args)
    {
        using var process = Start(processes, args);
        return Finish(process, timeout, args);
    }

    public static CliRunner.Result Finish(Process process, TimeSpan timeout, string[] args)
    {
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(timeout), $"mpirun cfcd {string.Join(' ', args)} ran over {timeout}");
        process.WaitForExit();
        return new CliRunner.Result(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The process id of <paramref name="rank"/> in this run, once it has started; null before.</summary>
    public int? ProcessOf(int rank)
    {
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid))
                continue;
            string environment;
            try
            {
                environment = File.ReadAllText(Path.Combine(folder, "environ"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            var variables = environment.Split('\0');
            if (variables.Contains($"{MarkVariable}={Mark}") && variables.Contains($"OMPI_COMM_WORLD_RANK={rank}")
                && File.ReadAllText(Path.Combine(folder, "cmdline")).Contains("cfcd.dll"))
                return pid;
        }
        return null;
    }
}
