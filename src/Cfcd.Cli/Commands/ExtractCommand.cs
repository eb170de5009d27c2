using System.CommandLine;
using System.Globalization;
using Cfcd.Data;
using Cfcd.IO;
using Cfcd.Modeling;
using Cfcd.Native;
using Cfcd.Retrieval;

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
            bool hasImages = result.GetResult(images) is not null;
            string? datasetName = result.GetResult(dataset)?.GetValueOrDefault<string>();
            bool wantsDataset = datasetName is not null and not "list";
            if (wantsDataset == hasImages)
                result.AddError(datasetName == "list" ? "--dataset list needs --images LIST_OR_DIR" : "give exactly one of --dataset and --images");
        });
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            if (parse.GetValue(dataset) is string name && name != "list")
                return Task.FromResult(CommandAction.NotAvailable(console, command.Name, "extraction of a revisited data set (--dataset)"));
            var scaleList = ParseScales(parse.GetValue(scales)!);
            var paths = ImageList.Read(parse.GetValue(images)!);
            string weightsPath = parse.GetValue(weights)!.ToString();
            string outputPath = parse.GetValue(output)!;
            var computeDevice = ComputeDevice.Resolve(parse.GetValue(device));

            using var networkWeights = NetworkWeights.Load(weightsPath);
            using var network = new CfcdNet(networkWeights.CompleteSpec(weightsPath));
            networkWeights.LoadInto(network, weightsPath);
            using var extractor = new DescriptorExtractor(network, networkWeights.Convention, scaleList, computeDevice);
            console.Error.WriteLine($"extract: {paths.Count:N0} images, ResNet-{network.Spec.Layout.Depth} {networkWeights.Source} weights ({networkWeights.Convention}), " +
                                    $"{extractor.Dimension}-d, scales {string.Join(", ", scaleList)}, {computeDevice.type.ToString().ToLowerInvariant()}");

            var failures = new List<string>();
            var progress = new ConsoleProgress(console.Error, "extract", paths.Count);
            using (var writer = new NpyWriter(outputPath, paths.Count, extractor.Dimension))
            {
                for (int index = 0; index < paths.Count; index++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    float[] descriptor;
                    try
                    {
                        descriptor = extractor.Extract(paths[index]);
                    }
                    catch (InputException unreadable)
                    {
                        console.Error.WriteLine($"extract: skipped, row {index} left zero: {unreadable.Message}");
                        failures.Add(paths[index]);
                        descriptor = new float[extractor.Dimension];
                    }
                    writer.Write(descriptor);
                    progress.Report(index + 1);
                }
                writer.Complete();
            }
            string skipped = failures.Count > 0 ? $"; {failures.Count} unreadable images have zero rows" : "";
            console.Error.WriteLine($"extract: wrote {paths.Count:N0} x {extractor.Dimension} descriptors to {outputPath}{skipped}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static double[] ParseScales(string text)
    {
        var scales = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale) || !(scale > 0) || double.IsInfinity(scale))
                throw new InputException($"--scales: '{part}' is not a positive number");
            scales.Add(scale);
        }
        return scales.Count > 0 ? [.. scales] : throw new InputException("--scales: no scales given");
    }
}
