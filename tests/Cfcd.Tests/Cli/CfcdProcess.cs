using System.Diagnostics;

namespace Cfcd.Tests.Cli;

/// <summary>Runs cfcd as a process of its own: for what applies to a whole process (environment, crashes).</summary>
internal static class CfcdProcess
{
    /// <param name="folder">Where cfcd.dll is: this test folder, or a copy of it.</param>
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    public static CliRunner.Result Run(
        string folder, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "cfcd.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(timeout), $"cfcd {string.Join(' ', args)} did not finish within {timeout}");
        return new CliRunner.Result(process.ExitCode, output, error.Result);
    }
}
