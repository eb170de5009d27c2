using System.Diagnostics;
using Cfcd.Config;
using Cfcd.Data;
using Cfcd.IO;
using Cfcd.Losses;
using Cfcd.Modeling;
using Cfcd.Native;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>How a run ended: where its files are, how far it got and the last validation.</summary>
public sealed record TrainingSummary(string RunFolder, int Epochs, long Steps, string LastCheckpoint, Accuracy? Validation, bool Resumed);

/// <summary>
/// Runs stage 1 or stage 2 of CFCD training from a config into a run folder: the resolved config, train.log (through
/// the caller's logger), metrics.csv, TensorBoard events, curves.png and checkpoints. A folder that already holds a
/// checkpoint of the same config resumes from its newest readable checkpoint, with the optimiser, schedule, sampler
/// and RNG exactly where they were, so a resumed run ends with the weights an uninterrupted one would have.
/// Cancellation finishes the current step, writes a checkpoint and rethrows.
/// </summary>
public sealed class Trainer(CfcdConfig config, RunFolder run, torch.Device device, ILoggerFactory logging)
{
    /// <summary>The log category of the periodic step lines (a terminal shows a progress bar instead).</summary>
    public const string StepLogCategory = "Cfcd.Training.Steps";

    private readonly ILogger _logger = logging.CreateLogger<Trainer>();
    private readonly ILogger _stepLogger = logging.CreateLogger(StepLogCategory);
    private readonly InputConvention _convention = InputConvention.FromConfig(config.Model);
    private readonly string _configYaml = ConfigWriter.ToYaml(config);

    /// <param name="requireResume">Fail unless the run folder holds a checkpoint to resume (<c>--resume</c>).</param>
    public TrainingSummary Run(bool requireResume, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        var dcinet = config.Dcinet;
        foreach (var (key, enabled) in new[] { ("dcinet.olp", dcinet.Olp.Enabled), ("dcinet.hep", dcinet.Hep.Enabled), ("dcinet.centres", dcinet.Centres.Enabled) })
            if (enabled)
                throw new NotBuiltException($"{key}.enabled: the DC-I-Net training options are not built into the trainer yet; set it to false");
        var train = ImageDataset.Load(config.Data.TrainList, config.Data.Root);
        var validation = config.Data.ValList is string valList ? ImageDataset.Load(valList, config.Data.Root) : null;
        if (validation is not null && validation.Classes > train.Classes)
            throw new InputException($"{config.Data.ValList}: has label {validation.Classes - 1}, the training list only {train.Classes} classes");

        manual_seed(config.Train.Seed);
        using var network = new CfcdNet(NetworkSpec.FromConfig(config.Model, train.Classes), config.Model.ZeroInitLastBn);
        using var resumed = FindCheckpoint(requireResume);
        if (resumed is null)
            Initialise(network);
        else
            resumed.Weights.LoadInto(network);
        network.to(device);
        network.SetGhostBatchSize(config.Train.GhostBn);
        using var optimizer = new Sgd(network.named_parameters().ToList(), config.Optim.Momentum, config.Optim.Nesterov, config.Optim.WeightDecay);
        var position = new TrainingPosition(0, 0, 0, 0, _configYaml);
        if (resumed is not null)
        {
            optimizer.LoadMomentumBuffers(resumed.Momentum);
            if (resumed.TorchRng is not null)
                set_rng_state(resumed.TorchRng);
            position = resumed.Position;
            _logger.LogInformation("resuming {Run} at epoch {Epoch}, step {Step} ({GlobalStep} steps done)", run.Root, position.Epoch + 1, position.Step, position.GlobalStep);
        }
        else
        {
            Directory.CreateDirectory(run.Root);
            AtomicFile.WriteAllText(run.Config, _configYaml);
        }
        Directory.CreateDirectory(run.Checkpoints);

        var sampler = SamplerFactory.Create(config.Sampler, train, config.Train.BatchSize, config.Train.Seed);
        var loading = new LoaderOptions(config.Data.Workers, config.Data.Prefetch, config.Data.MaxFailureRate,
            sampler.GroupSize, config.Data.MaxImagePixels);
        var loader = new BatchLoader(train.Samples, new TrainTransform(config.Data, _convention), loading, config.Train.Seed, _logger);
        var local = config.Train.Stage == 2 ? new LocalTripletLoss(config.Loss.LocalMargin, config.Loss.LoweRatio, config.Loss.AttentionKeep) : null;
        var step = new TrainingStep(network, IClassificationLoss.Create(config.Loss), local, optimizer, StepOptions.FromConfig(config));
        var predictor = new ClassPredictor(network, device, loading, _logger);
        _logger.LogInformation("stage {Stage}: ResNet-{Depth} width {Width}, {Dim}-d, {Classes} classes, {Images} training images, batch {Batch}, {Epochs} epochs, {Head} head, {Device}",
            config.Train.Stage, config.Model.Depth, config.Model.Width, config.Model.DescriptorDim, train.Classes, train.Samples.Count,
            config.Train.BatchSize, config.Train.Epochs, config.Loss.Head, device.type);
        if (device.type == DeviceType.CPU && CpuKernelSelection.Current is { } kernels)
            _logger.LogInformation("CPU kernels: {Kernels} ({Reason})", kernels.Kernels.Name(), kernels.Reason);

        using var metrics = MetricsLog.Open(run.Metrics, position.MetricsRows);
        var tensorBoard = new TensorBoardLog(run.TensorBoard);
        void Record(MetricsRow row)
        {
            metrics.Append(row);
            tensorBoard.Append(row);
        }
        var schedule = LearningRateSchedule.FromConfig(config);
        var pace = Stopwatch.StartNew();
        long stepsThisProcess = 0, imagesThisProcess = 0, savedStep = position.GlobalStep;
        Accuracy? accuracy = null;
        var window = new StepWindow();

        void Save(TrainingPosition at)
        {
            TrainingCheckpoint.Write(run.LastCheckpoint, network, _convention, optimizer, at);
            savedStep = at.GlobalStep;
        }

        try
        {
            for (int epoch = position.Epoch; epoch < config.Train.Epochs; epoch++)
            {
                double learningRate = schedule.At(epoch);
                var plan = sampler.Epoch(epoch);
                int stepInEpoch = epoch == position.Epoch ? position.Step : 0;
                foreach (var batch in loader.Epoch(epoch, plan, cancellation, stepInEpoch))
                {
                    StepResult result;
                    using (batch)
                    using (var scope = NewDisposeScope())
                        result = step.Run(batch.Images.to(device), batch.Labels.to(device), learningRate);
                    if (!result.IsFinite)
                        throw Diverged(result, epoch, stepInEpoch, position.GlobalStep, savedStep);
                    window.Add(result);
                    stepInEpoch++;
                    stepsThisProcess++;
                    imagesThisProcess += result.Images;
                    bool checkpointDue = config.Train.CheckpointEvery > 0 && (position.GlobalStep + 1) % config.Train.CheckpointEvery == 0;
                    bool logDue = (position.GlobalStep + 1) % config.Train.LogEvery == 0 || stepInEpoch == plan.Count || checkpointDue || cancellation.IsCancellationRequested;
                    position = position with { Epoch = epoch, Step = stepInEpoch, GlobalStep = position.GlobalStep + 1 };
                    if (logDue)
                    {
                        var row = window.Flush(epoch + 1, position.GlobalStep, learningRate);
                        Record(row);
                        LogStep(row, epoch, stepInEpoch, plan.Count);
                    }
                    position = position with { MetricsRows = metrics.Rows };
                    long remainingSteps = (long)(config.Train.Epochs - epoch) * plan.Count - stepInEpoch;
                    double seconds = pace.Elapsed.TotalSeconds;
                    progress?.Report(new TrainingProgress(epoch + 1, config.Train.Epochs, stepInEpoch, plan.Count, window.Steps > 0 ? window.MeanLoss : result.Loss,
                        imagesThisProcess / seconds, TimeSpan.FromSeconds(seconds / stepsThisProcess * remainingSteps)));
                    if (checkpointDue)
                        Save(position);
                    cancellation.ThrowIfCancellationRequested();
                }
                if (loader.LastEpoch is { Failed: > 0 } read)
                    _logger.LogWarning("epoch {Epoch}: skipped {Failed} unreadable images of {Images}", epoch + 1, read.Failed, read.Images);

                if (validation is not null)
                {
                    accuracy = predictor.Evaluate(validation, new EvalTransform(config.Data.ValResize,
                        config.Data.ImageSize, _convention, config.Data.JpegDctScaling), EvaluationBatch, cancellation);
                    Record(new MetricsRow(MetricsRow.ValidationPhase, epoch + 1, position.GlobalStep,
                        new Dictionary<string, double> { [MetricsRow.Top1] = accuracy.Top1, [MetricsRow.Top5] = accuracy.Top5 }));
                    _logger.LogInformation("epoch {Epoch}/{Epochs}: validation top-1 {Top1:F2}%, top-5 {Top5:F2}% ({Images} images)",
                        epoch + 1, config.Train.Epochs, accuracy.Top1, accuracy.Top5, accuracy.Images);
                }
                position = position with { Epoch = epoch + 1, Step = 0, MetricsRows = metrics.Rows };
                Save(position);
                if ((epoch + 1) % config.Train.KeepEvery == 0)
                    CopyAtomically(run.LastCheckpoint, run.EpochCheckpoint(epoch + 1));
                TrainingCurves.Write(MetricsLog.Read(run.Metrics), run.Curves);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            if (position.GlobalStep != savedStep || !File.Exists(run.LastCheckpoint))
                Save(position);
            _logger.LogWarning("stopped at epoch {Epoch}, step {Step}; {Checkpoint} holds the run, the same command resumes it",
                position.Epoch + 1, position.Step, run.LastCheckpoint);
            throw;
        }
        return new TrainingSummary(run.Root, config.Train.Epochs, position.GlobalStep, run.LastCheckpoint, accuracy, resumed is not null);
    }

    private int EvaluationBatch => config.Train.MicroBatch > 0 ? config.Train.MicroBatch : config.Train.BatchSize;

    /// <summary>The newest readable checkpoint of this run folder, if any; one of a different config is an error.</summary>
    private LoadedCheckpoint? FindCheckpoint(bool requireResume)
    {
        foreach (var (path, recorded) in run.CheckpointsNewestFirst())
        {
            string? difference = ConfigWriter.FirstDifference(WithoutDevice(recorded.Config), WithoutDevice(_configYaml));
            if (difference is not null)
                throw new InputException($"{path}: this run folder holds a run with another config ({difference}); resume it with its own config ({run.Config}) or train into another --out");
            try
            {
                return TrainingCheckpoint.Read(path);
            }
            catch (InputException unreadable)
            {
                _logger.LogWarning("skipping an unreadable checkpoint: {Problem}", unreadable.Message);
            }
        }
        return requireResume ? throw new InputException($"{run.Checkpoints}: no checkpoint to resume") : null;
    }

    // A run may be resumed on another device; everything else must match.
    private static string WithoutDevice(string yaml) =>
        string.Join('\n', yaml.Split('\n').Where(line => !line.TrimStart().StartsWith("device:", StringComparison.Ordinal)));

    /// <summary>A fresh run's starting weights: ImageNet (or any) weights for stage 1, the stage-1 checkpoint for stage 2.</summary>
    private void Initialise(CfcdNet network)
    {
        bool stageTwo = config.Train.Stage == 2;
        string? path = stageTwo ? config.Train.InitFrom : config.Model.Weights;
        if (path is null)
        {
            _logger.LogInformation("starting from random weights (seed {Seed})", config.Train.Seed);
            return;
        }
        string key = stageTwo ? "train.init_from" : "model.weights";
        using var weights = NetworkWeights.Load(path);
        if (!weights.Convention.Equals(_convention))
            throw new InputException($"{path} ({key}): the weights expect {weights.Convention}, the config says {_convention}; set model.channel_order, model.mean and model.std to match");
        if (stageTwo && weights.Classes != network.Spec.Classes)
            throw new InputException($"{path} ({key}): stage 2 needs the stage-1 classifier for {network.Spec.Classes} classes, the file has {(weights.Classes == 0 ? "none" : $"{weights.Classes} classes")}");
        weights.LoadInto(network, backboneOnly: !stageTwo);
        _logger.LogInformation("initialised from {Path} ({Source} weights)", path, weights.Source);
    }

    private void LogStep(MetricsRow row, int epoch, int stepInEpoch, int steps)
    {
        _stepLogger.LogInformation("epoch {Epoch}/{Epochs} step {Step}/{Steps}: loss {Loss:F4} (ce {Ce:F4}, local {Local:F4}), lr {Lr:G4}, scale {Scale:F1}, margin {Margin:F4}, median cos {Median:F3}, top-1 {Top1:F1}%, {Rate:F1} img/s",
            epoch + 1, config.Train.Epochs, stepInEpoch, steps, row[MetricsRow.Loss], row[MetricsRow.ClassificationLoss], row[MetricsRow.LocalLoss] ?? 0,
            row[MetricsRow.LearningRate], row[MetricsRow.Scale] ?? double.NaN, row[MetricsRow.Margin] ?? double.NaN, row[MetricsRow.MedianCosine] ?? double.NaN,
            row[MetricsRow.Top1], row[MetricsRow.ImagesPerSecond]);
    }

    private TrainingDivergedException Diverged(StepResult result, int epoch, int stepInEpoch, long globalStep, long savedStep)
    {
        string checkpoint = File.Exists(run.LastCheckpoint) ? $"{run.LastCheckpoint} (after step {savedStep})" : "none was written yet";
        return new TrainingDivergedException(
            $"epoch {epoch + 1}, step {stepInEpoch + 1} (step {globalStep + 1} of the run): the loss is not finite (loss {result.Loss}, " +
            $"classification {result.ClassificationLoss}, local {result.LocalLoss}, scale {result.Statistics?.Scale}); stopped without updating the weights; " +
            $"the last good checkpoint is {checkpoint}. Lower optim.base_lr or check the data");
    }

    private static void CopyAtomically(string source, string destination) =>
        AtomicFile.Write(destination, stream =>
        {
            using var input = File.OpenRead(source);
            input.CopyTo(stream);
        });
}
