using System.Diagnostics;
using System.Text.Json;

namespace Cfcd.Native;

/// <summary>
/// Runs <see cref="KernelSelfCheck"/> with given kernels in a child process (<c>cfcd kernel-check</c>), so that a
/// kernel that kills its process (SIGFPE, SIGSEGV) or hangs is an observation rather than the end of this one.
/// </summary>
public static class KernelCheckProcess
{
    public const string Verb = "kernel-check";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static KernelCheckObservation Run(CpuKernels kernels)
    {
        var start = Command();
        start.Environment[CpuKernelSelection.Variable] = kernels.Name();
        start.Environment.Remove(GcStress.Variable);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var child = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var output = child.StandardOutput.ReadToEndAsync();
        var error = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(Timeout))
        {
            child.Kill(entireProcessTree: true);
            return new KernelCheckObservation(
                kernels, KernelCheckOutcome.Crashed, $"no answer within {Timeout.TotalSeconds:0} s");
        }
        string lastLine = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? "";
        if (child.ExitCode != 0 || !lastLine.StartsWith('{'))
            return new KernelCheckObservation(
                kernels, KernelCheckOutcome.Crashed, Describe(child.ExitCode, error.Result));
        var result = JsonSerializer.Deserialize<KernelCheckResult>(lastLine)!;
        string detail = $"worst relative error {result.WorstError:0.0e+00}, {result.Worst}";
        return new KernelCheckObservation(
            kernels, result.Passed ? KernelCheckOutcome.Passed : KernelCheckOutcome.Differs, detail);
    }

    /// <summary>
    /// The child's command line: the cfcd beside this library (apphost, else cfcd.dll through dotnet).
    /// </summary>
    private static ProcessStartInfo Command()
    {
        string folder = AppContext.BaseDirectory;
        string apphost = Path.Combine(folder, OperatingSystem.IsWindows() ? "cfcd.exe" : "cfcd");
        string dll = Path.Combine(folder, "cfcd.dll");
        if (File.Exists(apphost))
            return new ProcessStartInfo(apphost, [Verb]);
        if (File.Exists(dll))
            return new ProcessStartInfo(DotnetHost(), [dll, Verb]);
        throw new InvalidOperationException(
            $"cannot run the kernel check: no cfcd in {folder}; set {CpuKernelSelection.Variable}");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    private static string Describe(int exitCode, string error)
    {
        string signal = exitCode > 128 && exitCode < 160 ? $" (signal {SignalName(exitCode - 128)})" : "";
        string lastError = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(line => !line.Contains("NNPACK", StringComparison.Ordinal)) ?? "";
        return $"exit {exitCode}{signal}"
            + (lastError.Length > 0 ? $": {lastError[..Math.Min(lastError.Length, 200)]}" : "");
    }

    private static string SignalName(int signal) => signal switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        _ => signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
