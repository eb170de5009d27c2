using System.CommandLine;
using Cfcd.Distributed;
using Cfcd.Native;
using Cfcd.Retrieval;

namespace Cfcd.Cli.Commands;

internal static class ExtractCommand
{
    private const int DefaultMaxSize = 1024;

    /// <param name="console">Where the verb writes.</param>
    /// <param name="launch">Which process of a parallel launch this is; read only when --shard is not given.</param>
    public static Command Create(CliConsole console, Func<ProcessLaunch> launch)
    {
        var weights = CommonOptions.Weights();
        var dataset = new Option<string>("--dataset")
        {
            Description =
                "A revisited data set (query crops and database in ground-truth order), revisitop1m (the " +
                "distractors), or 'list' for --images.",
        }.AcceptOnlyFromAmong([.. RevisitedDatasets.Aliases.Keys, RevisitedDatasets.Distractors, "list"]);
        var images = new Option<string>("--images")
        {
            Description = "A text file of image paths or a folder (sorted file names): one descriptor per image.",
        };
        var dataRoot = new Option<DirectoryInfo>("--data-root")
        {
            Description =
            "Folder holding the data sets (<root>/<dataset>/jpg, gnd_<dataset>.pkl; <root>/revisitop1m/).",
        };
        var output = new Option<string>("--out")
        {
            Description = "Output .npy (with --images) or folder (with --dataset).", Required = true,
        };
        var scales = CommonOptions.Scales();
        // The revisited data sets' images are at most 1024 pixels, so the default leaves them at original size; a
        // larger photo is reduced as cirtorch's --image-size 1024 does, which bounds the network's memory.
        var maxSize = new Option<int>("--max-size")
        {
            Description = "Cap the longer side of every image (query crop) at this many pixels before the scales; " +
                "0: original size.",
            DefaultValueFactory = _ => DefaultMaxSize,
        };
        var shard = new Option<string>("--shard")
        {
            Description = "Extract only the chunks of shard i of n (i/n, 0 <= i < n); the last shard to finish " +
                "merges. Under mpirun or srun each process takes shard rank/size by itself; a given --shard wins.",
        };
        var merge = new Option<bool>("--merge")
        {
            Description = "Extract nothing: check that every chunk is there and write the .npy files.",
        };
        var chunk = new Option<int>("--chunk")
        {
            Description = "Rows per chunk file (the unit of resuming and sharding).",
            DefaultValueFactory = _ => FeatureExtraction.DefaultChunkRows,
        };
        var workers = new Option<int>("--workers")
        {
            Description = "Decode threads.", DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var batch = CommonOptions.ExtractionBatch();
        var maxPixels = CommonOptions.MaxImagePixels();
        var device = CommonOptions.Device();
        var command = new Command("extract",
            "Extract multi-scale global descriptors (float32 .npy, rows in list or ground-truth order); resumable " +
            "and shardable.")
        {
            weights, dataset, images, dataRoot, output, scales, maxSize, shard, merge, chunk, workers, batch, maxPixels,
            device,
        };
        command.Validators.Add(result =>
        {
            bool hasImages = result.GetResult(images) is not null;
            string? datasetName = result.GetResult(dataset)?.GetValueOrDefault<string>();
            bool wantsDataset = datasetName is not null and not "list";
            if (wantsDataset == hasImages)
                result.AddError(datasetName == "list" ? "--dataset list needs --images LIST_OR_DIR"
                    : "give exactly one of --dataset and --images");
            if (wantsDataset && result.GetResult(dataRoot) is null)
                result.AddError("--dataset needs --data-root DIR");
        });
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            var scaleList = CommonOptions.ParseScales(parse.GetValue(scales)!);
            string outputPath = parse.GetValue(output)!;
            var shardSpec = parse.GetValue(shard) is string text ? Shard.Parse(text) : Launched(console, launch());
            int cap = parse.GetValue(maxSize), chunkRows = parse.GetValue(chunk), workerCount = parse.GetValue(workers);
            if (cap < 0 || chunkRows < 1 || workerCount < 1 || parse.GetValue(batch) < 1)
                throw new InputException("--max-size must be 0 or more; --chunk, --workers and --batch at least 1");
            long imagePixels = CommonOptions.ParseMaxImagePixels(parse, maxPixels);
            var parts = parse.GetValue(dataset) is string name && name != "list"
                ? FeatureFiles.OfDataset(parse.GetValue(dataRoot)!.ToString(), name, outputPath)
                : FeatureFiles.OfImageList(parse.GetValue(images)!, outputPath);
            foreach (var part in parts)
                OutputFile.RequireWritable(part.Path);
            var computeDevice = ComputeDevice.Resolve(parse.GetValue(device), "--device");
            var extraction = ExtractionOptions.For(computeDevice, workerCount, parse.GetValue(batch), cap, imagePixels);
            var settings = new FeatureExtractionSettings(parse.GetValue(weights)!.ToString(), scaleList, extraction,
                computeDevice)
            {
                ChunkRows = chunkRows, Shard = shardSpec, MergeOnly = parse.GetValue(merge),
            };
            FeatureExtraction.Run(parts, settings, new ExtractionConsoleReport(console.Error, settings), cancellation);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>The shard of <paramref name="launch"/>, said on stderr when the launch is parallel.</summary>
    private static Shard Launched(CliConsole console, ProcessLaunch launch)
    {
        var shard = Shard.For(launch);
        if (launch.IsParallel)
            console.Error.WriteLine($"extract: shard {shard} from {launch.Launcher}");
        return shard;
    }
}
