using System.CommandLine;
using Cfcd.Native;

namespace Cfcd.Cli.Commands;

/// <summary>
/// A diagnostic (hidden): checks that this installation's TorchSharp survives garbage collections during native
/// calls (ScalarStress); exit 0 with the count and sum, or 1 with a wrong sum, or a native error or crash.
/// </summary>
internal static class ScalarStressCommand
{
    public static Command Create(CliConsole console)
    {
        var seconds = new Option<double>("--seconds")
        {
            Description = "How long to run.", DefaultValueFactory = _ => 5,
        };
        var command = new Command(
            "stress-scalars", "Check that native objects survive garbage collection during native calls.")
        {
            seconds,
        };
        command.Hidden = true;
        CommandAction.Set(command, console, parse =>
        {
            var result = ScalarStress.Run(TimeSpan.FromSeconds(parse.GetValue(seconds)));
            console.Out.WriteLine($"{result.Calls} calls, sum {result.Sum}, {result.Collections} forced collections: "
                + (result.Right ? "right" : "WRONG"));
            return result.Right ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }
}
