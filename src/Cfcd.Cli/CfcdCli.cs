using System.CommandLine;
using System.CommandLine.Help;
using Cfcd.Cli.Commands;
using Cfcd.Distributed;

namespace Cfcd.Cli;

/// <summary>The `cfcd` command line: verbs, parsing, and the mapping of failures to exit codes.</summary>
internal static class CfcdCli
{
    // A plain Command named "cfcd" rather than RootCommand, whose name is the host executable's (testhost in tests).
    public static Command Build(CliConsole console, Func<ProcessLaunch> launch) =>
        new("cfcd", "cfcd: train, extract and evaluate CFCD landmark retrieval models (TorchSharp).")
    {
        new HelpOption { Recursive = true },
        new VersionOption(),
        TrainCommand.Create(console, launch),
        ScoreCommand.Create(console),
        ExtractCommand.Create(console, launch),
        EvalCommand.Create(console),
        SynthCommand.Create(console),
        DemoCommand.Create(console),
        ImportWeightsCommand.Create(console),
        GldV2ListCommand.Create(console),
        InfoCommand.Create(console),
        BenchCommand.Create(console, launch),
        KernelCheckCommand.Create(console),
        ScalarStressCommand.Create(console),
    };

    /// <param name="launch">Which process of a parallel launch this is (the program reads its environment); called
    /// only by a verb that shares its work out.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error,
        Func<ProcessLaunch> launch, CancellationToken cancellation = default)
    {
        var console = new CliConsole(output, error);
        var parse = Build(console, launch).Parse(args);
        if (parse.Errors.Count > 0)
        {
            var command = parse.CommandResult.Command;
            string verb = command.Parents.Any() ? $"cfcd {command.Name}" : "cfcd";
            foreach (var problem in parse.Errors)
                await error.WriteLineAsync($"{verb}: {OneLine(problem.Message)}");
            await error.WriteLineAsync($"Run '{verb} --help' for usage.");
            return ExitCodes.BadInput;
        }
        // Signals are handled by the caller (Program), which cancels the token; System.CommandLine's own handler would
        // end the process two seconds after Ctrl+C, before a training step and its checkpoint could finish.
        var invocation = new InvocationConfiguration
        {
            Output = output, Error = error, ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(invocation, cancellation);
    }

    private static string OneLine(string message) =>
        string.Join(' ',
            message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
