using Cfcd.Cli;

namespace Cfcd.Tests.Cli;

/// <summary>Runs `cfcd` in process and captures what it writes.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = CfcdCli.RunAsync(args, output, error).GetAwaiter().GetResult();
        return new Result(exitCode, output.ToString(), error.ToString());
    }
}
