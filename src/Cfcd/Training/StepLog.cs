using Microsoft.Extensions.Logging;

namespace Cfcd.Training;

/// <summary>
/// The periodic step line of train.log, from a logged metrics row. Why: it has a log category of its own
/// (<see cref="Trainer.StepLogCategory"/>), since a terminal shows a progress bar instead.
/// </summary>
internal sealed class StepLog(ILogger logger, int epochs)
{
    public void Write(MetricsRow row, StepPlace at) =>
        logger.LogInformation(
            "epoch {Epoch}/{Epochs} step {Step}/{Steps}: loss {Loss:F4} (ce {Ce:F4}, local {Local:F4}), lr {Lr:G4}, " +
            "scale {Scale:F1}, margin {Margin:F4}, median cos {Median:F3}, top-1 {Top1:F1}%, {Rate:F1} img/s",
            at.Epoch + 1, epochs, at.Step, at.Steps, row[MetricsRow.Loss], row[MetricsRow.ClassificationLoss],
            row[MetricsRow.LocalLoss] ?? 0, row[MetricsRow.LearningRate], row[MetricsRow.Scale] ?? double.NaN,
            row[MetricsRow.Margin] ?? double.NaN, row[MetricsRow.MedianCosine] ?? double.NaN, row[MetricsRow.Top1],
            row[MetricsRow.ImagesPerSecond]);
}
