using Cfcd.Config;
using Cfcd.Data.Synthetic;
using Cfcd.Losses;
using Cfcd.Modeling;
using Cfcd.Training;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using SkiaSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Tests.Training;

/// <summary>A tiny synthetic set and one uninterrupted two-epoch run on it, shared by the trainer tests.</summary>
public sealed class TinyTrainingRun
{
    public TinyTrainingRun()
    {
        Data = TestPaths.NewTempFolder();
        SyntheticDataset.Write(Data, new SyntheticOptions(Seed: 3, Classes: 6, TrainPerClass: 8, ValidationPerClass: 2,
            Queries: 2, Database: 2, Size: 48));
        Run = new RunFolder(Path.Combine(TestPaths.NewTempFolder(), "uninterrupted"));
        Summary = Train(Config(), Run);
    }

    public string Data { get; }

    public RunFolder Run { get; }

    public TrainingSummary Summary { get; }

    /// <summary>ResNet-18 of width 4 on 32 x 32 crops, 6 steps of 8 images per epoch, ghost batch norm of 4.</summary>
    public CfcdConfig Config(int epochs = 2, double baseLr = 0.05) => new()
    {
        Model = new ModelConfig { Depth = 18, Width = 4, DescriptorDim = 8, ChannelOrder = ChannelOrder.Rgb,
            Mean = [0.485, 0.456, 0.406], Std = [0.229, 0.224, 0.225] },
        Data = new DataConfig
        {
            Root = Data, TrainList = Path.Combine(Data, SyntheticDataset.TrainList),
                ValList = Path.Combine(Data, SyntheticDataset.ValidationList),
            ImageSize = 32, ValResize = 36, Workers = 2, Prefetch = 2,
        },
        Optim = new OptimConfig { BaseLr = baseLr, WarmupEpochs = 1 },
        Train = new TrainConfig { Epochs = epochs, BatchSize = 8, GhostBn = 4, Seed = 5, Device = DeviceKind.Cpu,
            LogEvery = 4, KeepEvery = 1 },
    };

    public static TrainingSummary Train(CfcdConfig config, RunFolder run, bool requireResume = false,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        Assert.Empty(ConfigValidator.Problems(config));
        return new Trainer(config, run, CPU, NullLoggerFactory.Instance).Run(requireResume, progress, cancellation);
    }
}

[Collection(TorchRandomCollection.Name)]
public class TrainerTests(TinyTrainingRun tiny) : IClassFixture<TinyTrainingRun>
{
    private sealed class CancelAt(CancellationTokenSource source, int epoch, int step) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Epoch == epoch && value.Step == step)
                source.Cancel();
        }
    }

    private sealed class CountingReducer : IGradientReducer
    {
        public int Calls { get; private set; }

        public void Reduce(IReadOnlyList<(string Name, Parameter Parameter)> parameters) => Calls++;
    }

    private static void AssertSameWeights(string expectedCheckpoint, string actualCheckpoint)
    {
        using var expected = TrainingCheckpoint.Read(expectedCheckpoint);
        using var actual = TrainingCheckpoint.Read(actualCheckpoint);
        Golden.AssertSameTensors(expected.Weights.Tensors, actual.Weights.Tensors);
        Golden.AssertSameTensors(expected.Momentum, actual.Momentum);
        Assert.Equal(expected.Position with { MetricsRows = 0 }, actual.Position with { MetricsRows = 0 });
    }

    private static IEnumerable<double?> ValidationTop1(RunFolder run) =>
        MetricsLog.Read(run.Metrics).Where(row => row.Phase == MetricsRow.ValidationPhase)
            .Select(row => row[MetricsRow.Top1]);

    [Fact]
    public void ARunStoppedMidEpochAndResumedEndsWithTheWeightsOfAnUninterruptedRun()
    {
        var run = new RunFolder(Path.Combine(TestPaths.NewTempFolder(), "stopped"));
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => TinyTrainingRun.Train(tiny.Config(), run,
            progress: new CancelAt(stop, epoch: 2, step: 3), cancellation: stop.Token));
        var stoppedAt = TrainingCheckpoint.Peek(run.LastCheckpoint)!;
        Assert.Equal((1, 3, 9L), (stoppedAt.Epoch, stoppedAt.Step, stoppedAt.GlobalStep));

        var summary = TinyTrainingRun.Train(tiny.Config(), run, requireResume: true);
        Assert.True(summary.Resumed);
        AssertSameWeights(tiny.Run.LastCheckpoint, run.LastCheckpoint);
        Assert.Equal(ValidationTop1(tiny.Run), ValidationTop1(run));
    }

    [Fact]
    public void AResumedRunGoesOnWithTheSameDictionaryCentresHepPoolAndNegatives()
    {
        // Every DC-I-Net option at once: a float16 dictionary, HEP with hard classes from the centres (pools of 4 of
        // the 6 classes), and tuples whose negatives come from the nearest centres.
        var config = tiny.Config() with
        {
            Loss = new LossConfig
            {
                Olp = new OlpConfig { Enabled = true, QueueSize = 20, StartStep = 1, Scale = 10,
                    Dtype = StorageType.Float16 },
                Centers = new CentersConfig { Enabled = true, Momentum = 0.5, Weight = 0.5 },
                Hep = new HepConfig { Enabled = true, TopK = 1, PoolSize = 4, HardClasses = HardClassSource.Centers },
            },
            Sampler = new SamplerConfig { Kind = SamplerKind.HardNegative, TupleSize = 4,
                HardNegatives = NegativeClasses.Centers, NearestClasses = 2 },
        };
        var whole = new RunFolder(Path.Combine(TestPaths.NewTempFolder(), "olp"));
        TinyTrainingRun.Train(config, whole);
        var run = new RunFolder(Path.Combine(TestPaths.NewTempFolder(), "olp-stopped"));
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => TinyTrainingRun.Train(config, run,
            progress: new CancelAt(stop, epoch: 2, step: 2), cancellation: stop.Token));
        TinyTrainingRun.Train(config, run, requireResume: true);

        AssertSameWeights(whole.LastCheckpoint, run.LastCheckpoint);
        using var expected = TrainingCheckpoint.Read(whole.LastCheckpoint);
        using var actual = TrainingCheckpoint.Read(run.LastCheckpoint);
        Assert.Equal(["center_loss.centers", "center_loss.nearest", "center_loss.nearest_epoch", "center_loss.seen",
            "olp_loss.features", "olp_loss.labels", "olp_loss.position", "olp_loss.steps"],
            expected.LossState.Keys.Order());
        Assert.Equal(ScalarType.Float16, expected.LossState["olp_loss.features"].dtype);
        // The second epoch's tuples drew on the centres as the first epoch left them.
        Assert.Equal(1, expected.LossState["center_loss.nearest_epoch"].data<long>()[0]);
        Assert.True(expected.LossState["center_loss.nearest"].ge(0).all().ToBoolean());
        Golden.AssertSameTensors(expected.LossState, actual.LossState);
        // 12 steps of 8 images, the first left out (start_step 1): 88 entries through a ring of 20.
        Assert.Equal(new long[] { 20, 88 % 20 }, expected.LossState["olp_loss.position"].data<long>().ToArray());
        Assert.True(MetricsLog.Read(run.Metrics).Where(row => row.Phase == MetricsRow.TrainPhase)
            .All(row => row[MetricsRow.OlpLoss] > 0 && row[MetricsRow.CenterLoss] > 0
                        && row[MetricsRow.HepClasses] is >= 4 and <= 6));
    }

    [Fact]
    public void ARunKilledAfterAnEpochCheckpointResumesFromIt()
    {
        // What a killed process leaves: the run's files as they were, the epoch-1 checkpoint as the newest.
        var run = new RunFolder(Path.Combine(TestPaths.NewTempFolder(), "killed"));
        Directory.CreateDirectory(run.Checkpoints);
        File.Copy(tiny.Run.Config, run.Config);
        File.Copy(tiny.Run.Metrics, run.Metrics);
        File.Copy(tiny.Run.EpochCheckpoint(1), run.EpochCheckpoint(1));

        var summary = TinyTrainingRun.Train(tiny.Config(), run);
        Assert.True(summary.Resumed);
        AssertSameWeights(tiny.Run.LastCheckpoint, run.LastCheckpoint);
        Assert.Equal(File.ReadAllText(tiny.Run.Metrics).Split('\n').Length,
            File.ReadAllText(run.Metrics).Split('\n').Length);
    }

    [Fact]
    public void TheRunFolderHoldsConfigMetricsEventsCurvesAndCheckpoints()
    {
        Assert.Equal(ConfigWriter.ToYaml(tiny.Config()), File.ReadAllText(tiny.Run.Config));
        var rows = MetricsLog.Read(tiny.Run.Metrics);
        var train = rows.Where(row => row.Phase == MetricsRow.TrainPhase).ToList();
        // log_every 4 over 12 steps, plus the last step of each epoch: steps 4, 6, 8, 12.
        Assert.Equal([4L, 6, 8, 12], train.Select(row => row.Step));
        Assert.All(train,
            row => Assert.True(row[MetricsRow.Scale] >= MadaCos.MinimumScale && row[MetricsRow.ImagesPerSecond] > 0));
        Assert.Equal([0.005, 0.005, 0.025, 0.025],
            train.Select(row => Math.Round(row[MetricsRow.LearningRate]!.Value, 6)));
        Assert.Equal(2,
            rows.Count(row => row.Phase == MetricsRow.ValidationPhase && row[MetricsRow.Top5] >= row[MetricsRow.Top1]));

        Assert.NotEmpty(Directory.GetFiles(tiny.Run.TensorBoard, "events.out.tfevents.*"));
        using (var curves = SKBitmap.Decode(tiny.Run.Curves))
            Assert.Equal((1280, 800), (curves.Width, curves.Height));
        Assert.True(File.Exists(tiny.Run.EpochCheckpoint(1)) && File.Exists(tiny.Run.EpochCheckpoint(2)));
        Assert.Equal(tiny.Summary.LastCheckpoint, tiny.Run.LastCheckpoint);
        Assert.Equal(12, tiny.Summary.Steps);

        // A checkpoint is a weights file for every --weights option.
        using var weights = NetworkWeights.Load(tiny.Run.LastCheckpoint);
        Assert.Equal(6, weights.Classes);
        Assert.DoesNotContain(weights.Tensors.Keys,
            name => name.StartsWith(NetworkWeights.TrainingStatePrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void AFolderHoldingARunOfAnotherConfigIsRefused()
    {
        var error = Assert.Throws<InputException>(() => TinyTrainingRun.Train(tiny.Config(epochs: 3), tiny.Run));
        Assert.Contains("train.epochs: 2 vs 3", error.Message);
    }

    [Fact]
    public void ResumeWithNothingToResumeIsAnError()
    {
        var run = new RunFolder(Path.Combine(TestPaths.NewTempFolder(), "empty"));
        var error = Assert.Throws<InputException>(() => TinyTrainingRun.Train(tiny.Config(), run, requireResume: true));
        Assert.Contains("no checkpoint to resume", error.Message);
    }

    [Fact]
    public void ADivergingRunStopsWithoutWritingACheckpoint()
    {
        var run = new RunFolder(Path.Combine(TestPaths.NewTempFolder(), "diverging"));
        var error =
            Assert.Throws<TrainingDivergedException>(() => TinyTrainingRun.Train(tiny.Config(baseLr: 1e36), run));
        Assert.Contains("the loss is not finite", error.Message);
        Assert.Contains("none was written yet", error.Message);
        Assert.False(File.Exists(run.LastCheckpoint));
    }

    [Fact]
    public void TheTrainerHandsEveryStepsGradientsToItsReducer()
    {
        var reducer = new CountingReducer();
        var run = new RunFolder(Path.Combine(TestPaths.NewTempFolder(), "reduced"));
        var summary = new Trainer(tiny.Config(epochs: 1), run, CPU, NullLoggerFactory.Instance, gradients: reducer)
            .Run(requireResume: false, progress: null, CancellationToken.None);
        Assert.Equal(6, summary.Steps);
        Assert.Equal(6, reducer.Calls);
    }

    [Fact]
    public void ARunResumesOnAnotherDeviceButNotWithAnotherKey()
    {
        var config = tiny.Config();
        var onCuda = config with { Train = config.Train with { Device = DeviceKind.Cuda } };
        using (var resumed = new ResumeSearch(tiny.Run, onCuda, NullLogger.Instance).Newest(required: true))
            Assert.Equal(12, resumed!.Position.GlobalStep);
        var otherMean = config with { Model = config.Model with { Mean = [0.5, 0.5, 0.5] } };
        var error = Assert.Throws<InputException>(
            () => new ResumeSearch(tiny.Run, otherMean, NullLogger.Instance).Newest(required: true));
        Assert.Contains("model.mean: [0.485, 0.456, 0.406] vs [0.5, 0.5, 0.5]", error.Message);
    }
}
