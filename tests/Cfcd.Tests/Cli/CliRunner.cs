using Cfcd.Cli;
using Cfcd.Distributed;

namespace Cfcd.Tests.Cli;

/// <summary>Runs `cfcd` in process and captures what it writes.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    /// <summary>Runs as a process started by hand, whatever launcher runs the tests.</summary>
    public static Result Run(params string[] args) => Run(ProcessLaunch.Single, args);

    /// <summary>Runs as one process of <paramref name="launch"/>.</summary>
    public static Result Run(ProcessLaunch launch, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = CfcdCli.RunAsync(args, output, error, () => launch).GetAwaiter().GetResult();
        return new Result(exitCode, output.ToString(), error.ToString());
    }
}
