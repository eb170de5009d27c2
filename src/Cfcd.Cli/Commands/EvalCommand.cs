using System.CommandLine;

namespace Cfcd.Cli.Commands;

internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var dataset = new Argument<string>("dataset")
        {
            Description = "roxford5k (alias roxford) or rparis6k (alias rparis).",
        }.AcceptOnlyFromAmong("roxford5k", "roxford", "rparis6k", "rparis");
        var features = new Option<DirectoryInfo>("--features") { Description = "Folder with <dataset>_query.npy and <dataset>_db.npy (as written by extract)." };
        var query = new Option<FileInfo>("--query") { Description = "Query descriptors, float32 [70, D], in qimlist order." };
        var database = new Option<FileInfo>("--db") { Description = "Database descriptors, float32 [N, D], in imlist order." };
        var groundTruth = new Option<FileInfo>("--gnd") { Description = "Ground truth gnd_<dataset>.pkl (default: found under --data-root)." };
        var dataRoot = new Option<DirectoryInfo>("--data-root") { Description = "Folder holding <dataset>/gnd_<dataset>.pkl." };
        var distractors = new Option<FileInfo>("--distractors") { Description = "R1M distractor descriptors (revisitop1m.npy) appended to the database." };
        var json = new Option<FileInfo>("--json") { Description = "Also write the scores as JSON to this file." };
        var command = new Command("eval", "Revisited Oxford / Paris evaluation: Easy / Medium / Hard mAP and mP@1,5,10.")
        {
            dataset, features, query, database, groundTruth, dataRoot, distractors, json,
        };
        command.Validators.Add(result =>
        {
            bool hasFeatures = result.GetResult(features) is not null;
            bool hasPair = result.GetResult(query) is not null && result.GetResult(database) is not null;
            if (hasFeatures == hasPair)
                result.AddError("give either --features DIR or both --query Q.npy and --db D.npy");
        });
        CommandAction.Set(command, console, _ => CommandAction.NotAvailable(console, command.Name, "revisited evaluation"));
        return command;
    }
}
