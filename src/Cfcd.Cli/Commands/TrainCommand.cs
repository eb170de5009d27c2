using System.CommandLine;
using Cfcd.Config;

namespace Cfcd.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var output = new Option<DirectoryInfo>("--out") { Description = "Run folder: config.yaml, train.log, metrics.csv, checkpoints/ (default runs/<config name>)." };
        var device = CommonOptions.Device();
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest complete checkpoint in the run folder." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate the config, print it resolved (defaults and --set applied) and exit." };
        var command = new Command("train", "Train stage 1 (MadaCos) or stage 2 (MadaCos + local triplet) from a config.")
        {
            config, set, output, device, resume, dryRun,
        };
        CommandAction.Set(command, console, parse =>
        {
            var resolved = CommonOptions.LoadConfig(parse, config, set);
            if (parse.GetValue(dryRun))
            {
                console.Out.Write(ConfigWriter.ToYaml(resolved));
                return ExitCodes.Success;
            }
            return CommandAction.NotAvailable(console, command.Name, "training");
        });
        return command;
    }
}
