using System.CommandLine;
using Cfcd.Data;

namespace Cfcd.Cli.Commands;

internal static class GldV2ListCommand
{
    public static Command Create(CliConsole console)
    {
        var csv = new Option<FileInfo>("--csv")
        {
            Description = "GLDv2 train_clean.csv (landmark_id,images).", Required = true,
        };
        var output = new Option<FileInfo>("--out")
        {
            Description = "Training list to write (CFCD format: train/a/b/c/id.jpg label).", Required = true,
        };
        var valOutput = new Option<FileInfo>("--val-out")
        {
            Description = "Validation list to write; without it every image goes to training.",
        };
        var valFraction = new Option<double>("--val-fraction")
        {
            Description = "Share of each class held out for validation (at most all but one image).",
            DefaultValueFactory = _ => 0.02,
        };
        var minImages = new Option<int>("--min-images")
        {
            Description = "Drop classes with fewer images.", DefaultValueFactory = _ => 1,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the validation choice.", DefaultValueFactory = _ => 0,
        };
        var command = new Command("gldv2-list",
            "Build CFCD training / validation lists from GLDv2 train_clean.csv (contiguous labels, stratified split).")
        {
            csv, output, valOutput, valFraction, minImages, seed,
        };
        CommandAction.Set(command, console, parse =>
        {
            OutputFile.RequireWritable(parse.GetValue(output)!.ToString());
            if (parse.GetValue(valOutput) is { } validationList)
                OutputFile.RequireWritable(validationList.ToString());
            var summary = GldV2List.Convert(parse.GetValue(csv)!.ToString(), parse.GetValue(output)!.ToString(),
                parse.GetValue(valOutput)?.ToString(),
                parse.GetValue(valFraction), parse.GetValue(minImages), parse.GetValue(seed));
            console.Out.WriteLine($"{summary.Classes:N0} classes ({summary.DroppedClasses:N0} dropped), " +
                                  $"{summary.TrainImages:N0} training and {summary.ValImages:N0} validation images");
            return ExitCodes.Success;
        });
        return command;
    }
}
