using System.CommandLine;
using Cfcd.Benchmarks;
using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Distributed;
using Cfcd.Modeling;
using Cfcd.Native;
using Cfcd.Retrieval;

namespace Cfcd.Cli.Commands;

/// <summary>`cfcd bench ...`: performance figures printed, never asserted (scripts/ compares them with
/// PyTorch).</summary>
internal static class BenchCommand
{
    public static Command Create(CliConsole console, Func<ProcessLaunch> launch) =>
        new("bench", "Measure performance and print figures (images/s, peak memory).")
    {
        Forward(console, launch),
        Train(console, launch),
        Extract(console),
        Pipeline(console),
    };

    private static Command Pipeline(CliConsole console)
    {
        var images = new Option<string>("--images")
        {
            Description = "A folder or list of images (1024 x 768 JPEGs for the reference figure).", Required = true,
        };
        var size = new Option<int>("--size") { Description = "Crop side.", DefaultValueFactory = _ => 512 };
        var batch = new Option<int>("--batch") { Description = "Images per batch.", DefaultValueFactory = _ => 32 };
        var workers = new Option<int>("--workers")
        {
            Description = "Decode threads.", DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var count = new Option<int>("--count")
        {
            Description = "Images to time (after one warm-up batch).", DefaultValueFactory = _ => 512,
        };
        var dctScaling = new Option<bool>("--jpeg-dct-scaling")
        {
            Description = "Decode JPEGs at 1/2, 1/4 or 1/8 size where the crop allows (data.jpeg_dct_scaling).",
        };
        var command = new Command("pipeline",
            "Training-pipeline images/s: decode, random-resized crop, flip, PCA lighting, normalise into batch " +
            "tensors.")
        {
            images, size, batch, workers, count, dctScaling,
        };
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            var paths = ImageList.Read(parse.GetValue(images)!);
            var data = new DataConfig
            {
                ImageSize = parse.GetValue(size),
                Workers = parse.GetValue(workers),
                Prefetch = parse.GetValue(workers) + 1,
                JpegDctScaling = parse.GetValue(dctScaling),
            };
            if (paths.Count < parse.GetValue(batch))
                throw new InputException($"--images: {paths.Count} images cannot fill a batch of " +
                                         $"{parse.GetValue(batch)}");
            var result = PipelineBenchmark.Run(paths, data, InputConvention.Pycls, parse.GetValue(batch),
                parse.GetValue(count), cancellation);
            console.Out.WriteLine($"cfcd pipeline: {paths.Count} images, crop {data.ImageSize}, " +
                $"batch {parse.GetValue(batch)}, {data.Workers} " +
                $"workers{(data.JpegDctScaling ? ", JPEG DCT scaling" : "")}");
            console.Out.WriteLine($"  {result.ImagesPerSecond,8:F1} img/s  ({result.Images} images in " +
                                  $"{result.Seconds:F2} s, {result.Failed} failed, peak RSS " +
                                  $"{result.PeakResidentBytes / (1 << 20):N0} MiB)");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command Extract(CliConsole console)
    {
        var images = new Option<string>("--images")
        {
            Description = "A folder or list of images (1024 x 768 JPEGs for the reference figure).", Required = true,
        };
        var depth = new Option<int>("--depth") { Description = "ResNet depth.", DefaultValueFactory = _ => 50 };
        var scales = CommonOptions.Scales();
        var count = new Option<int>("--count")
        {
            Description = "Images to time (the first of the list, after one warm-up image).",
            DefaultValueFactory = _ => 8,
        };
        var workers = new Option<int>("--workers") { Description = "Decode threads.", DefaultValueFactory = _ => 2 };
        var batch = CommonOptions.ExtractionBatch();
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch (0: its default)." };
        var device = CommonOptions.Device();
        var command =
            new Command("extract", "Multi-scale extraction images/s over image files (random ResNet weights, 512-d).")
        {
            images, depth, scales, count, workers, batch, threads, device,
        };
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            var paths = ImageList.Read(parse.GetValue(images)!).Take(Math.Max(1, parse.GetValue(count))).ToList();
            if (!ResNetLayout.IsSupported(parse.GetValue(depth)))
                throw new InputException($"--depth {parse.GetValue(depth)}: use one of " +
                                         $"{string.Join(", ", ResNetLayout.SupportedDepths)}");
            var scaleList = CommonOptions.ParseScales(parse.GetValue(scales)!);
            if (parse.GetValue(threads) > 0)
                TorchSharp.torch.set_num_threads(parse.GetValue(threads));
            var spec = new NetworkSpec(new ResNetLayout(parse.GetValue(depth), 64), 512);
            var computeDevice = ComputeDevice.Resolve(parse.GetValue(device), "--device");
            var options = ExtractionOptions.For(computeDevice, parse.GetValue(workers), parse.GetValue(batch));
            var result = ExtractionBenchmark.Run(spec, paths, scaleList, options, computeDevice, cancellation);
            console.Out.WriteLine($"cfcd extract: ResNet-{spec.Layout.Depth}, scales {string.Join(",", scaleList)}, " +
                                  $"{paths.Count} images, {options.Workers} decode threads, " +
                                  $"batch {options.MaxBatch}, {computeDevice.type.ToString().ToLowerInvariant()}, " +
                                  $"{TorchSharp.torch.get_num_threads()} threads");
            console.Out.WriteLine($"  {result.ImagesPerSecond,8:F3} img/s  ({result.Images} images in " +
                                  $"{result.Seconds:F1} s, {result.Unreadable} unreadable, peak RSS " +
                                  $"{result.PeakResidentBytes / (1 << 20):N0} MiB)");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private delegate IEnumerable<BatchMeasurement> NetworkBenchmark(NetworkSpec spec, IReadOnlyList<int> sizes,
        int batch, int warmup, int timed,
        TorchSharp.torch.Device device, CancellationToken cancellation);

    private static Command Forward(CliConsole console, Func<ProcessLaunch> launch) => NetworkCommand(console, launch,
        "forward",
        "Inference images/s of the descriptor network on random batches (eval, no gradient).", _ => "GeM/FC/BN/L2",
            defaultSizes: "224,512",
        defaultClasses: 0, (_, _) => ForwardBenchmark.Run);

    private static Command Train(CliConsole console, Func<ProcessLaunch> launch)
    {
        var hepPool = new Option<int>("--hep-pool")
        {
            Description = "DC-I-Net's HEP softmax over this many classes (the batch's, each image's 20 most " +
                          "confusing, random ones); 0: the full softmax.",
        };
        hepPool.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
                result.AddError($"--hep-pool: must be 0 or more, got {result.GetValueOrDefault<int>()}");
        });
        return NetworkCommand(console, launch, "train",
            "Stage-1 training images/s on random batches: forward, MadaCos, backward, Nesterov SGD step.",
            parse => parse.GetValue(hepPool) > 0
                ? $"GeM/FC/BN + MadaCos on a HEP pool of {parse.GetValue(hepPool):N0} + SGD"
                : "GeM/FC/BN + MadaCos + SGD",
            defaultSizes: "224", defaultClasses: 81_313, (parse, group) =>
            {
                var hep = parse.GetValue(hepPool) > 0
                    ? new HepConfig { Enabled = true, PoolSize = parse.GetValue(hepPool) }
                    : null;
                return (spec, sizes, batch, warmup, timed, device, cancellation) =>
                    TrainStepBenchmark.Run(spec, sizes, batch, warmup, timed, device, cancellation, group, hep);
            }, hepPool);
    }

    /// <param name="what">What is timed besides the backbone, as the first line says it.</param>
    /// <param name="benchmark">The benchmark, given the parsed command and the process group of the launch (several
    /// processes under mpirun: only rank 0 prints).</param>
    /// <param name="options">The benchmark's own options.</param>
    private static Command NetworkCommand(CliConsole console, Func<ProcessLaunch> launch, string name,
        string description, Func<ParseResult, string> what, string defaultSizes, int defaultClasses,
        Func<ParseResult, IProcessGroup, NetworkBenchmark> benchmark, params Option[] options)
    {
        var depth = new Option<int>("--depth") { Description = "ResNet depth.", DefaultValueFactory = _ => 50 };
        var width = new Option<int>("--width")
        {
            Description = "Stem width (64 is the standard network).", DefaultValueFactory = _ => 64,
        };
        var dim = new Option<int>("--dim") { Description = "Descriptor size.", DefaultValueFactory = _ => 512 };
        var classes = new Option<int>("--classes")
        {
            Description = "Classifier rows (81,313: GLDv2-clean).", DefaultValueFactory = _ => defaultClasses,
        };
        var sizes = new Option<string>("--sizes")
        {
            Description = "Comma-separated square input sizes.", DefaultValueFactory = _ => defaultSizes,
        };
        var batch = new Option<int>("--batch") { Description = "Images per batch.", DefaultValueFactory = _ => 8 };
        var warmup = new Option<int>("--warmup")
        {
            Description = "Untimed batches per size.", DefaultValueFactory = _ => 1,
        };
        var iterations = new Option<int>("--iterations")
        {
            Description = "Timed batches per size.", DefaultValueFactory = _ => 5,
        };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch (0: its default)." };
        var device = CommonOptions.Device();
        var command = new Command(name, description)
        {
            depth, width, dim, sizes, batch, warmup, iterations, threads, device,
        };
        if (defaultClasses > 0)
            command.Options.Add(classes);
        foreach (var option in options)
            command.Options.Add(option);
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            if (!ResNetLayout.IsSupported(parse.GetValue(depth)))
                throw new InputException($"--depth {parse.GetValue(depth)}: use one of " +
                                         $"{string.Join(", ", ResNetLayout.SupportedDepths)}");
            var sizeList =
                parse.GetValue(sizes)!.Split(',').Select(text => int.TryParse(text, out int size) && size >= 32
                ? size
                : throw new InputException($"--sizes: '{text}' is not a size of at least 32")).ToList();
            int classCount = defaultClasses > 0 ? parse.GetValue(classes) : 0;
            if (defaultClasses > 0 && classCount < 2)
                throw new InputException($"--classes: needs at least 2, got {classCount}");
            if (parse.GetValue(threads) > 0)
                TorchSharp.torch.set_num_threads(parse.GetValue(threads));
            var spec = new NetworkSpec(new ResNetLayout(parse.GetValue(depth), parse.GetValue(width)),
                parse.GetValue(dim), classCount);
            var computeDevice = ComputeDevice.Resolve(parse.GetValue(device), "--device");
            string classifier = classCount > 0 ? $", {classCount:N0} classes" : "";
            using var group = ProcessGroups.ForLaunch(launch(), TimeSpan.FromMinutes(10));
            if (group.Rank == 0)
                console.Out.WriteLine($"cfcd {name}: ResNet-{spec.Layout.Depth} width {spec.Layout.Width} + " +
                                      $"{what(parse)}{classifier}, batch {parse.GetValue(batch)}, " +
                                      $"{computeDevice.type.ToString().ToLowerInvariant()}, " +
                                      $"{TorchSharp.torch.get_num_threads()} threads, libtorch " +
                                      $"{TorchSharp.torch.__version__}");
            var run = benchmark(parse, group);
            foreach (var result in run(spec, sizeList, parse.GetValue(batch), parse.GetValue(warmup),
                parse.GetValue(iterations), computeDevice, cancellation).Where(_ => group.Rank == 0))
                console.Out.WriteLine($"  {result.Size}x{result.Size}: {result.ImagesPerSecond,8:F2} img/s  (median " +
                                      $"batch {result.MedianBatchSeconds:F3} s over {result.TimedBatches}, peak RSS " +
                                      $"{result.PeakResidentBytes / (1 << 20):N0} MiB{AllReduce(result, group)})");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static string AllReduce(BatchMeasurement result, IProcessGroup group) =>
        result.AllReduceShare is double share
            ? $"; {group.Size} processes, all-reduce {100 * share:F1}% of the step"
            : "";
}
