using Cfcd.Config;
using Cfcd.Distributed;
using Cfcd.Losses;
using Cfcd.Modeling;
using Cfcd.Native;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Cfcd.Training;

/// <summary>How a run ended: where its files are, how far it got and the last validation.</summary>
public sealed record TrainingSummary(string RunFolder, int Epochs, long Steps, string LastCheckpoint,
    Accuracy? Validation, bool Resumed);

/// <summary>
/// Runs stage 1 or stage 2 of CFCD training from a config into a run folder: the resolved config, train.log (through
/// the caller's logger), metrics.csv, TensorBoard events, curves.png and checkpoints. A folder that already holds a
/// checkpoint of the same config resumes from its newest readable checkpoint, with the optimiser, schedule, sampler
/// and RNG exactly where they were, so a resumed run ends with the weights an uninterrupted one would have.
/// Cancellation finishes the current step, writes a checkpoint and rethrows. Why: one call runs a whole run; its
/// parts (<see cref="RunStart"/>, <see cref="TrainingEpoch"/>, <see cref="TrainingStep"/>, <see cref="EpochEnd"/>)
/// each do one thing.
/// </summary>
/// <param name="group">The processes of a data-parallel run (each reads its share of every batch; rank 0 alone writes
/// the run folder); null: one process.</param>
/// <param name="gradients">Combines each step's gradients across processes; null: summed through
/// <paramref name="group"/> (CPU), nothing to do alone.</param>
public sealed class Trainer(CfcdConfig config, RunFolder run, torch.Device device, ILoggerFactory logging,
    IProcessGroup? group = null, IGradientReducer? gradients = null)
{
    /// <summary>The log category of the periodic step lines (a terminal shows a progress bar instead).</summary>
    public const string StepLogCategory = "Cfcd.Training.Steps";

    private readonly ILogger _logger = logging.CreateLogger<Trainer>();
    private readonly InputConvention _convention = InputConvention.FromConfig(config.Model);
    private readonly IProcessGroup _group = group ?? SingleProcessGroup.Instance;
    private bool Writes => _group.Rank == 0;

    /// <param name="requireResume">Fail unless the run folder holds a checkpoint to resume (<c>--resume</c>).</param>
    public TrainingSummary Run(bool requireResume, IProgress<TrainingProgress>? progress,
        CancellationToken cancellation)
    {
        try
        {
            return RunAll(requireResume, progress, cancellation);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The others may wait in a collective for this process: leave without an orderly MPI shutdown.
            _group.Abandon();
            throw;
        }
    }

    private TrainingSummary RunAll(bool requireResume, IProgress<TrainingProgress>? progress,
        CancellationToken cancellation)
    {
        using var folderLock = Writes ? RunFolderLock.Acquire(run.Root) : null;
        var data = TrainingData.Load(config.Data);
        using var network = SeededNetwork.Build(config, data.Train.Classes);
        var start = new RunStart(config, run, _logger, Writes);
        using var resumed = start.LoadWeights(network, requireResume);
        network.to(device);
        network.SetGhostBatchSize(config.Train.GhostBn);
        ModelBroadcast.FromRankZero(network, _group);
        using var optimizer = new Sgd(network.named_parameters().ToList(), config.Optim.Momentum, config.Optim.Nesterov,
            config.Optim.WeightDecay);
        using var losses = new TrainingLosses(config, data.Train.Classes);
        var position = new RunPosition(run, network, _convention, optimizer,
            start.Restore(resumed, optimizer, losses.Terms, device), Writes, losses.Terms);
        GroupChecks.RequireSame(_group, position.Current.GlobalStep, "the step the run resumes at");
        using var stop = new StopAgreement(_group, cancellation);
        var accuracy = Train(data, network, optimizer, losses, position, progress, stop);
        return new TrainingSummary(run.Root, config.Train.Epochs, position.Current.GlobalStep, run.LastCheckpoint,
            accuracy, resumed is not null);
    }

    /// <summary>Builds the parts of the loop, then runs the epochs still to run.</summary>
    private Accuracy? Train(TrainingData data, CfcdNet network, Sgd optimizer, TrainingLosses losses,
        RunPosition position, IProgress<TrainingProgress>? progress, StopAgreement stop)
    {
        var batches = new TrainingBatches(config, data.Train, _convention, _logger, _group.Rank, _group.Size,
            losses.Centers);
        var step = new TrainingStep(network, losses.Head, losses.Terms, optimizer, StepOptions.FromConfig(config),
            _group, gradients ?? (_group.Size > 1 ? new AllReduceGradients(_group) : null), losses.Pool);
        var predictor = new ClassPredictor(network, device, batches.Loading, _logger);
        LogStart(data);
        using var metrics = Writes ? RunMetrics.Open(run, position.Current.MetricsRows) : RunMetrics.None;
        var validation = data.Validation is { } list
            ? new ValidationPass(predictor, list, config, metrics, _logger, _group)
            : null;
        var stepLog = new StepLog(logging.CreateLogger(StepLogCategory), config.Train.Epochs);
        var recorder = new StepRecorder(config.Train, position, metrics, stepLog,
            new ProgressPace(config.Train.Epochs, progress));
        var epochs = new TrainingEpoch(batches, step, LearningRateSchedule.FromConfig(config), device, recorder,
            position, _logger, stop);
        var end = new EpochEnd(run, config.Train.KeepEvery, validation, metrics, position,
            () => ModelBroadcast.AverageRunningStatistics(network, _group));
        RunEpochs(epochs, end, position, stop.Token);
        return end.LastValidation;
    }

    /// <summary>Each epoch still to run, then its end; a stop saves where the run is and rethrows.</summary>
    private void RunEpochs(TrainingEpoch epochs, EpochEnd end, RunPosition position, CancellationToken cancellation)
    {
        try
        {
            for (int epoch = position.Current.Epoch; epoch < config.Train.Epochs; epoch++)
            {
                epochs.Run(epoch, cancellation);
                end.Finish(epoch, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            position.SaveIfBehind();
            _logger.LogWarning("stopped at epoch {Epoch}, step {Step}; {Checkpoint} holds the run, the same command " +
                               "resumes it", position.Current.Epoch + 1, position.Current.Step, run.LastCheckpoint);
            throw;
        }
    }

    private void LogStart(TrainingData data)
    {
        _logger.LogInformation(
            "stage {Stage}: ResNet-{Depth} width {Width}, {Dim}-d, {Classes} classes, {Images} training images, " +
            "batch {Batch}, {Epochs} epochs, {Head} head, {Device}", config.Train.Stage, config.Model.Depth,
            config.Model.Width, config.Model.DescriptorDim, data.Train.Classes, data.Train.Samples.Count,
            config.Train.BatchSize, config.Train.Epochs, config.Loss.Head, device.type);
        if (device.type == DeviceType.CPU && CpuKernelSelection.Current is { } kernels)
            _logger.LogInformation("CPU kernels: {Kernels} ({Reason})", kernels.Kernels.Name(), kernels.Reason);
    }
}
