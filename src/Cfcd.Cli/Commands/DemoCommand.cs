using System.CommandLine;

namespace Cfcd.Cli.Commands;

internal static class DemoCommand
{
    public static Command Create(CliConsole console)
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the demo's data, run and features.", DefaultValueFactory = _ => new DirectoryInfo("runs/demo") };
        var command = new Command("demo", "Synthesise a small set, train stage 1 and 2 on the CPU, extract, evaluate: mAP before and after training.")
        {
            output,
        };
        CommandAction.Set(command, console, _ => CommandAction.NotAvailable(console, command.Name, "the end-to-end demo"));
        return command;
    }
}
