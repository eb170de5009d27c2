using System.CommandLine;
using System.Text.Json;
using Cfcd.Native;

namespace Cfcd.Cli.Commands;

/// <summary>
/// The child side of the CPU kernel check (hidden): runs every convolution shape of cfcd's networks, forward and
/// backward, with the kernels CFCD_CPU_KERNELS names and prints the comparison with float64 as one JSON line. It may
/// crash: that is the point.
/// </summary>
internal static class KernelCheckCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command(
            KernelCheckProcess.Verb, "Check this host's CPU kernels against float64 (run by cfcd itself).")
        {
            Hidden = true,
        };
        CommandAction.Set(command, console, _ =>
        {
            var result = KernelSelfCheck.Run(KernelSelfCheck.CfcdCases);
            console.Out.WriteLine(JsonSerializer.Serialize(result));
            return ExitCodes.Success;
        });
        return command;
    }
}
