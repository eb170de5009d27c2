using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Data.Synthetic;
using Cfcd.IO;
using Cfcd.Modeling;
using Cfcd.Retrieval;
using Cfcd.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Demo;

/// <summary>
/// The size of the end-to-end demo. The defaults train a narrow ResNet-18 on a synthetic set of 30 classes in about a
/// minute on two CPU cores; every number can be scaled up.
/// </summary>
public sealed record DemoOptions
{
    public int Seed { get; init; } = 1;
    public SyntheticOptions Synthetic { get; init; } = new(Classes: 30, Queries: 20, Database: 300);
    public int Depth { get; init; } = 18;
    public int Width { get; init; } = 16;
    public int DescriptorDim { get; init; } = 64;
    public int StageOneEpochs { get; init; } = 20;
    public int StageTwoEpochs { get; init; } = 5;
    public int StageOneImageSize { get; init; } = 64;
    /// <summary>Stage 2 needs res4 maps with a few locations to match: 96 x 96 crops give 3 x 3.</summary>
    public int StageTwoImageSize { get; init; } = 96;
    public int BatchSize { get; init; } = 32;
    public int Workers { get; init; } = 2;
    public double[] Scales { get; init; } = [0.7071, 1.0, 1.4142];
    /// <summary>The revisited data set to score on (roxford5k, rparis6k or synth) and the folder holding it; null: the
    /// synthetic test set.</summary>
    public string EvaluationDataset { get; init; } = "synth";
    public string? EvaluationRoot { get; init; }
    /// <summary>Weights to evaluate instead of training (no synthesis, no training).</summary>
    public string? Weights { get; init; }
}

/// <summary>One evaluated model of the demo: its label, weights file and scores.</summary>
public sealed record DemoStep(string Label, string Weights, EvaluationResult Result);

/// <summary>Where the demo put everything (data, run folders, features, the last model's retrieval picture) and the
/// scores.</summary>
public sealed record DemoResult(string Folder, string Data, IReadOnlyList<string> RunFolders, string Features,
    string Picture, IReadOnlyList<DemoStep> Steps);

/// <summary>
/// cfcd end to end on the CPU: synthesise a landmark set (<c>cfcd synth</c>), train stage 1 (MadaCos) and stage 2
/// (local
/// triplet on hard-negative tuples, from the stage-1 scores), extract multi-scale descriptors of the test set and score
/// them with the revisited protocol: before training (the random initialisation), after stage 1 and after stage 2.
/// </summary>
public sealed class DemoPipeline(DemoOptions options, string folder, ILoggerFactory logging)
{
    private readonly ILogger _logger = logging.CreateLogger<DemoPipeline>();

    private string Data => Path.Combine(folder, "data");

    private string Features => Path.Combine(folder, "features");

    private string EvaluationRoot => options.EvaluationRoot ?? Data;

    public DemoResult Run(IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        Directory.CreateDirectory(folder);
        if (options.Weights is string given)
            return Finish([], [Evaluate("given weights", given, cancellation)]);
        Synthesise(cancellation);
        var stageOne = StageOneConfig();
        var stageOneRun = new RunFolder(Path.Combine(folder, "stage1"));
        var stageTwo = StageTwoConfig(stageOneRun);
        var stageTwoRun = new RunFolder(Path.Combine(folder, "stage2"));
        var steps = new List<DemoStep>();

        string initial = Path.Combine(folder, "random_init.safetensors");
        WriteInitialWeights(stageOne, initial);
        steps.Add(Evaluate("random init", initial, cancellation));

        _logger.LogInformation("demo: stage 1 (MadaCos), {Epochs} epochs into {Run}", stageOne.Train.Epochs,
            stageOneRun.Root);
        new Trainer(stageOne, stageOneRun, CPU, logging).Run(requireResume: false, progress, cancellation);
        steps.Add(Evaluate("stage 1", stageOneRun.LastCheckpoint, cancellation));

        Score(stageOne, stageOneRun, stageTwo.Sampler.Scores!, cancellation);
        _logger.LogInformation("demo: stage 2 (MadaCos + local triplet), {Epochs} epochs into {Run}",
            stageTwo.Train.Epochs, stageTwoRun.Root);
        new Trainer(stageTwo, stageTwoRun, CPU, logging).Run(requireResume: false, progress, cancellation);
        steps.Add(Evaluate("stage 2", stageTwoRun.LastCheckpoint, cancellation));
        return Finish([stageOneRun.Root, stageTwoRun.Root], steps);
    }

    /// <summary>Writes the synthetic set once; a folder holding one of other options is refused (its runs would mix
    /// them).</summary>
    private void Synthesise(CancellationToken cancellation)
    {
        var synthetic = options.Synthetic with { Seed = options.Seed };
        string stamp = Path.Combine(Data, "synth_options.txt");
        if (File.Exists(stamp))
        {
            if (File.ReadAllText(stamp) != synthetic.ToString())
                throw new InputException($"{stamp}: the demo folder holds a synthetic set of other options " +
                                         $"({File.ReadAllText(stamp)}); use another --out");
            return;
        }
        _logger.LogInformation("demo: synthesising {Images} images into {Data}", synthetic.TotalImages, Data);
        SyntheticDataset.Write(Data, synthetic, cancellation: cancellation);
        AtomicFile.WriteAllText(stamp, synthetic.ToString());
    }

    /// <summary>Draws what the last model retrieves for the first queries, and gathers the result.</summary>
    private DemoResult Finish(IReadOnlyList<string> runs, List<DemoStep> steps)
    {
        string dataset = RevisitedDatasets.Canonical(options.EvaluationDataset);
        string features = FeatureFolder(steps[^1].Label);
        string picture = Path.Combine(folder, "retrieval.png");
        RetrievalPicture.Draw(picture, RevisitedImages.Load(EvaluationRoot, dataset),
            FeatureFiles.Queries(features, dataset), FeatureFiles.Database(features, dataset), shown: 6, k: 8);
        return new DemoResult(folder, EvaluationRoot, runs, Features, picture, steps);
    }

    private string FeatureFolder(string label) => Path.Combine(Features, label.Replace(' ', '_'));

    private CfcdConfig StageOneConfig() => new()
    {
        Model = new ModelConfig
        {
            Depth = options.Depth, Width = options.Width, DescriptorDim = options.DescriptorDim,
                ChannelOrder = ChannelOrder.Rgb,
            Mean = [0.485, 0.456, 0.406], Std = [0.229, 0.224, 0.225],
        },
        Data = new DataConfig
        {
            Root = Data, TrainList = Path.Combine(Data, SyntheticDataset.TrainList),
                ValList = Path.Combine(Data, SyntheticDataset.ValidationList),
            ImageSize = options.StageOneImageSize, ValResize = options.StageOneImageSize * 9 / 8,
                Workers = options.Workers, Prefetch = 2,
        },
        Optim = new OptimConfig { BaseLr = 0.05, WarmupEpochs = 1 },
        Train = new TrainConfig
        {
            Epochs = options.StageOneEpochs, BatchSize = options.BatchSize, GhostBn = 0, Seed = options.Seed,
                Device = DeviceKind.Cpu,
            LogEvery = 10, KeepEvery = 1000,
        },
    };

    private CfcdConfig StageTwoConfig(RunFolder stageOne)
    {
        var config = StageOneConfig();
        return config with
        {
            Data = config.Data with { ImageSize = options.StageTwoImageSize,
                ValResize = options.StageTwoImageSize * 9 / 8 },
            Sampler = new SamplerConfig { Kind = SamplerKind.HardNegative,
                Scores = Path.Combine(stageOne.Root, "scores.txt"), TupleSize = 8 },
            Optim = config.Optim with { BaseLr = 0.01, WarmupEpochs = 0 },
            Train = config.Train with { Stage = 2, Epochs = options.StageTwoEpochs,
                InitFrom = stageOne.LastCheckpoint },
        };
    }

    /// <summary>The network stage 1 starts from, as weights.</summary>
    private static void WriteInitialWeights(CfcdConfig config, string path)
    {
        var train = ImageDataset.Load(config.Data.TrainList, config.Data.Root);
        using var network = SeededNetwork.Build(config, train.Classes);
        using var weights = NetworkWeights.FromNetwork(network, InputConvention.FromConfig(config.Model));
        weights.Save(path);
    }

    private void Score(CfcdConfig config, RunFolder run, string scores, CancellationToken cancellation)
    {
        using var model = LoadedNetwork.Load(run.LastCheckpoint);
        var result = StageOneScoring.Write(model, config, ImageDataset.Load(config.Data.TrainList, config.Data.Root),
            scores, CPU, _logger, cancellation: cancellation);
        _logger.LogInformation("demo: scored the training list for the tuple sampler, top-1 {Top1:F2}%, into {Scores}",
            result.Top1, scores);
    }

    /// <summary>
    /// Extracts the evaluation set with <paramref name="weightsPath"/> (keeping features a run before extracted with
    /// the same weights and settings) and scores it with the revisited protocol.
    /// </summary>
    private DemoStep Evaluate(string label, string weightsPath, CancellationToken cancellation)
    {
        string features = FeatureFolder(label);
        var settings = new FeatureExtractionSettings(weightsPath, options.Scales,
            ExtractionOptions.For(CPU, options.Workers), CPU);
        FeatureExtraction.Run(FeatureFiles.OfDataset(EvaluationRoot, options.EvaluationDataset, features), settings,
            cancellation: cancellation);
        string dataset = RevisitedDatasets.Canonical(options.EvaluationDataset);
        var groundTruth = GroundTruth.Load(RevisitedDatasets.FindGroundTruth(EvaluationRoot, dataset));
        var result = RevisitedEvaluation.Run(dataset, groundTruth, FeatureFiles.Queries(features, dataset),
            FeatureFiles.Database(features, dataset), cancellation: cancellation);
        _logger.LogInformation("demo: {Label}: mAP easy {Easy:F2}, medium {Medium:F2}, hard {Hard:F2}", label,
            result.Scores[Setup.Easy].MeanAveragePrecision, result.Scores[Setup.Medium].MeanAveragePrecision,
                result.Scores[Setup.Hard].MeanAveragePrecision);
        return new DemoStep(label, weightsPath, result);
    }
}
