using System.CommandLine;

namespace Cfcd.Cli.Commands;

internal static class ExtractCommand
{
    public static Command Create(CliConsole console)
    {
        var weights = CommonOptions.Weights();
        var dataset = new Option<string>("--dataset")
        {
            Description = "A revisited data set (query crops and database in ground-truth order) or 'list' for --images.",
        }.AcceptOnlyFromAmong("roxford5k", "roxford", "rparis6k", "rparis", "revisitop1m", "list");
        var images = new Option<string>("--images") { Description = "A text file of image paths or a folder (sorted file names): one descriptor per image." };
        var dataRoot = new Option<DirectoryInfo>("--data-root") { Description = "Folder holding the data sets (<root>/<dataset>/jpg, gnd_<dataset>.pkl)." };
        var output = new Option<string>("--out") { Description = "Output .npy (with --images) or folder (with --dataset).", Required = true };
        var scales = CommonOptions.Scales();
        var device = CommonOptions.Device();
        var command = new Command("extract", "Extract multi-scale global descriptors (float32 .npy, rows in list or ground-truth order).")
        {
            weights, dataset, images, dataRoot, output, scales, device,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(dataset) is null == result.GetResult(images) is null)
                result.AddError("give exactly one of --dataset and --images");
        });
        CommandAction.Set(command, console, _ => CommandAction.NotAvailable(console, command.Name, "descriptor extraction"));
        return command;
    }
}
