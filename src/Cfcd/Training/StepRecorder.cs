using Cfcd.Config;

namespace Cfcd.Training;

/// <summary>
/// What follows a finished step: the position moves on, the window of steps is logged when due (train.log_every, the
/// last step of an epoch, a checkpoint, a stop), progress is reported and the checkpoint written every
/// train.checkpoint_every steps. Why: the order fixes what a checkpoint holds (its metrics rows included).
/// </summary>
internal sealed class StepRecorder(TrainConfig train, RunPosition position, RunMetrics metrics, StepLog log,
    ProgressPace pace)
{
    private readonly StepWindow _window = new();

    public void Record(StepResult result, StepPlace at, CancellationToken cancellation)
    {
        _window.Add(result);
        long globalStep = position.Current.GlobalStep + 1;
        bool checkpointDue = train.CheckpointEvery > 0 && globalStep % train.CheckpointEvery == 0;
        if (globalStep % train.LogEvery == 0 || at.LastOfEpoch || checkpointDue || cancellation.IsCancellationRequested)
        {
            var row = _window.Flush(at.Epoch + 1, globalStep, at.LearningRate);
            metrics.Append(row);
            log.Write(row, at);
        }
        position.MoveTo(position.Current with
        {
            Epoch = at.Epoch, Step = at.Step, GlobalStep = globalStep, MetricsRows = metrics.Rows,
        });
        pace.Report(at, result.Images, _window.Steps > 0 ? _window.MeanLoss : result.Loss);
        if (checkpointDue)
            position.Save();
    }
}
