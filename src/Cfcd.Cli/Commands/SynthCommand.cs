using System.CommandLine;

namespace Cfcd.Cli.Commands;

internal static class SynthCommand
{
    public static Command Create(CliConsole console)
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write the data set to.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same data set.", DefaultValueFactory = _ => 1 };
        var classes = new Option<int>("--classes") { Description = "Number of landmark classes (scenes).", DefaultValueFactory = _ => 20 };
        var trainPerClass = new Option<int>("--train-per-class") { Description = "Training views per class.", DefaultValueFactory = _ => 20 };
        var queries = new Option<int>("--queries") { Description = "Query images of the revisited-style test set.", DefaultValueFactory = _ => 10 };
        var database = new Option<int>("--db") { Description = "Database images of the test set, distractors included.", DefaultValueFactory = _ => 200 };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 128 };
        var command = new Command("synth", "Write a small synthetic landmark data set (training list, validation list, revisited-layout test set).")
        {
            output, seed, classes, trainPerClass, queries, database, size,
        };
        CommandAction.Set(command, console, _ => CommandAction.NotAvailable(console, command.Name, "the synthetic data set"));
        return command;
    }
}
