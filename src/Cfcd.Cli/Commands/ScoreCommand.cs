using System.CommandLine;

namespace Cfcd.Cli.Commands;

internal static class ScoreCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var weights = CommonOptions.Weights();
        var output = new Option<FileInfo>("--out") { Description = "Score file to write: `path true predicted score` per line.", Required = true };
        var device = CommonOptions.Device();
        var command = new Command("score", "Run a stage-1 model over the training list (eval transforms) and write the predictions the hard-negative tuple sampler reads.")
        {
            config, set, weights, output, device,
        };
        CommandAction.Set(command, console, parse =>
        {
            CommonOptions.LoadConfig(parse, config, set);
            return CommandAction.NotAvailable(console, command.Name, "scoring the training set");
        });
        return command;
    }
}
