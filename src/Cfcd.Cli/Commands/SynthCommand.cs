using System.CommandLine;
using System.Diagnostics;
using Cfcd.Data.Synthetic;

namespace Cfcd.Cli.Commands;

internal static class SynthCommand
{
    public static Command Create(CliConsole console)
    {
        var defaults = new SyntheticOptions();
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder to write the data set to.", Required = true,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Random seed; the same seed and options give the same files, byte for byte.",
            DefaultValueFactory = _ => defaults.Seed,
        };
        var classes = new Option<int>("--classes")
        {
            Description = "Number of training classes (landmark scenes).", DefaultValueFactory = _ => defaults.Classes,
        };
        var trainPerClass = new Option<int>("--train-per-class")
        {
            Description = "Training views per class.", DefaultValueFactory = _ => defaults.TrainPerClass,
        };
        var valPerClass = new Option<int>("--val-per-class")
        {
            Description = "Validation views per class (extra views of the training classes).",
            DefaultValueFactory = _ => defaults.ValidationPerClass,
        };
        var queries = new Option<int>("--queries")
        {
            Description = "Query images of the revisited-style test set (two per test scene).",
            DefaultValueFactory = _ => defaults.Queries,
        };
        var database = new Option<int>("--db")
        {
            Description = "Database images of the test set, distractors included.",
            DefaultValueFactory = _ => defaults.Database,
        };
        var size = new Option<int>("--size")
        {
            Description = "Longer image side in pixels (images are 4:3, 3:4 or square).",
            DefaultValueFactory = _ => defaults.Size,
        };
        var command = new Command("synth",
            "Write a small synthetic landmark data set (training list, validation list, revisited-layout test set).")
        {
            output, seed, classes, trainPerClass, valPerClass, queries, database, size,
        };
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            var options = new SyntheticOptions(parse.GetValue(seed), parse.GetValue(classes),
                parse.GetValue(trainPerClass), parse.GetValue(valPerClass),
                parse.GetValue(queries), parse.GetValue(database), parse.GetValue(size));
            options.Validate();
            string folder = parse.GetValue(output)!.FullName;
            OutputFile.RequireWritableFolder(folder);
            console.Error.WriteLine($"synth: {options.TotalImages:N0} images, longer side {options.Size} px, seed " +
                                    $"{options.Seed}, to {folder}");
            var clock = Stopwatch.StartNew();
            var summary = SyntheticDataset.Write(folder, options,
                new ConsoleProgress(console.Error, "synth", options.TotalImages), cancellation);
            WriteSummary(console.Out, folder, summary, clock.Elapsed);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static void WriteSummary(TextWriter output, string folder, SyntheticSummary summary, TimeSpan elapsed)
    {
        output.WriteLine($"synth: wrote {folder} in {elapsed.TotalSeconds:F1} s ({summary.JpegBytes / 1e6:F1} MB of " +
                         "JPEG)");
        output.WriteLine($"  {SyntheticDataset.TrainList,-20}{summary.TrainImages,6:N0} views of {summary.Classes} " +
                         "classes");
        output.WriteLine($"  {SyntheticDataset.ValidationList,-20}{summary.ValidationImages,6:N0} views of " +
                         $"{summary.Classes} classes");
        output.WriteLine($"  {TestSetPlanner.GroundTruthPath,-20}{summary.Queries,6:N0} queries of " +
                         $"{summary.TestScenes} test scenes; {summary.Database:N0} database images: " +
                         $"{summary.Easy} easy, {summary.Hard} hard, {summary.Junk} junk, {summary.Distractors} " +
                         "distractors");
    }
}
