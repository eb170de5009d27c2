using System.CommandLine;
using Cfcd.Data;
using Cfcd.IO;
using Cfcd.Retrieval;

namespace Cfcd.Cli.Commands;

internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var dataset = new Argument<string>("dataset")
        {
            Description = "roxford5k (alias roxford), rparis6k (alias rparis), or synth (the cfcd synth test set).",
        }.AcceptOnlyFromAmong([.. RevisitedDatasets.Aliases.Keys]);
        var features = new Option<DirectoryInfo>("--features")
        {
            Description = "Folder with <dataset>_query.npy and <dataset>_db.npy (as written by extract).",
        };
        var query = new Option<FileInfo>("--query")
        {
            Description = "Query descriptors, float32 [70, D], in qimlist order.",
        };
        var database = new Option<FileInfo>("--db")
        {
            Description = "Database descriptors, float32 [N, D], in imlist order.",
        };
        var groundTruth = new Option<FileInfo>("--gnd")
        {
            Description = "Ground truth gnd_<dataset>.pkl (default: found under --data-root).",
        };
        var dataRoot = new Option<DirectoryInfo>("--data-root")
        {
            Description = "Folder holding <dataset>/gnd_<dataset>.pkl.",
        };
        var distractors = new Option<FileInfo>("--distractors")
        {
            Description = "R1M distractor descriptors (revisitop1m.npy) appended to the database.",
        };
        var json = new Option<FileInfo>("--json") { Description = "Also write the scores as JSON to this file." };
        var visualize = new Option<FileInfo>("--visualize")
        {
            Description =
            "Also draw queries and their top results, framed easy / hard / junk / negative, into this PNG (needs " +
            "--data-root).",
        };
        var shownQueries = new Option<int>("--visualize-queries")
        {
            Description = "Queries in the picture (the first ones).", DefaultValueFactory = _ => 6,
        };
        var shownResults = new Option<int>("--visualize-top")
        {
            Description = "Results per query in the picture.", DefaultValueFactory = _ => 8,
        };
        var command =
            new Command("eval", "Revisited Oxford / Paris evaluation: Easy / Medium / Hard mAP and mP@1,5,10.")
        {
            dataset, features, query, database, groundTruth, dataRoot, distractors, json, visualize, shownQueries,
                shownResults,
        };
        command.Validators.Add(result =>
        {
            bool hasFeatures = result.GetResult(features) is not null;
            bool hasPair = result.GetResult(query) is not null && result.GetResult(database) is not null;
            if (hasFeatures == hasPair)
                result.AddError("give either --features DIR or both --query Q.npy and --db D.npy");
            if (result.GetResult(groundTruth) is null && result.GetResult(dataRoot) is null)
                result.AddError("give --gnd FILE or --data-root DIR to find the ground truth");
            if (result.GetResult(visualize) is not null && result.GetResult(dataRoot) is null)
                result.AddError("--visualize needs --data-root DIR for the images");
        });
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            string name = RevisitedDatasets.Canonical(parse.GetValue(dataset)!);
            string groundTruthPath = parse.GetValue(groundTruth)?.ToString()
                ?? RevisitedDatasets.FindGroundTruth(parse.GetValue(dataRoot)!.ToString(), name);
            string featureFolder = parse.GetValue(features)?.ToString() ?? "";
            string queryPath = parse.GetValue(query)?.ToString() ?? FeatureFiles.Queries(featureFolder, name);
            string databasePath = parse.GetValue(database)?.ToString() ?? FeatureFiles.Database(featureFolder, name);
            string? distractorPath = parse.GetValue(distractors)?.ToString();

            if (parse.GetValue(json) is { } jsonOutput)
                OutputFile.RequireWritable(jsonOutput.FullName);
            if (parse.GetValue(visualize) is { } pictureOutput)
                OutputFile.RequireWritable(pictureOutput.FullName);
            var gnd = GroundTruth.Load(groundTruthPath);
            long rows = gnd.DatabaseNames.Count + (distractorPath != null ? Npy.ReadHeader(distractorPath).Rows : 0);
            var result = RevisitedEvaluation.Run(name, gnd, queryPath, databasePath, distractorPath,
                new ConsoleProgress(console.Error, "eval", rows), cancellation);

            WriteTable(console.Out, result);
            if (parse.GetValue(json) is { } jsonFile)
                AtomicFile.WriteAllText(jsonFile.FullName, result.ToJson() + "\n");
            if (parse.GetValue(visualize) is { } picture)
            {
                int shown = Math.Clamp(parse.GetValue(shownQueries), 1, gnd.Queries.Count),
                    top = Math.Max(1, parse.GetValue(shownResults));
                var images = RevisitedImages.Load(parse.GetValue(dataRoot)!.ToString(), name,
                    parse.GetValue(groundTruth)?.ToString());
                RetrievalPicture.Draw(picture.FullName, images, queryPath, databasePath, shown, top);
                console.Error.WriteLine($"eval: drew the top {top} of the first {shown} queries (database only) into " +
                                        $"{picture}");
            }
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    public static void WriteTable(TextWriter output, EvaluationResult result)
    {
        string distractors = result.Distractors > 0 ? $" + {result.Distractors:N0} distractors" : "";
        output.WriteLine($"{result.Dataset}: {result.Queries} queries, {result.Database:N0} database " +
                         $"images{distractors}");
        output.WriteLine($"{"",-8}{"mAP",8}" + string.Concat(RevisitedProtocol.Kappas.Select(k => $"{"mP@" + k,8}"))
            + $"{"queries",9}");
        foreach (var (setup, scores) in result.Scores)
            output.WriteLine($"{setup,-8}{scores.MeanAveragePrecision,8:F2}"
                + string.Concat(scores.MeanPrecisionAt.Select(value => $"{value,8:F2}")) + $"{scores.ScoredQueries,9}");
    }
}
