using Cfcd.Data;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>
/// One epoch's steps: its batches from the step the position stands at, one optimiser step each at the epoch's
/// learning rate. Why: a fresh epoch and one resumed mid-way run the same loop.
/// </summary>
internal sealed class TrainingEpoch(TrainingBatches batches, TrainingStep step, LearningRateSchedule schedule,
    torch.Device device, StepRecorder recorder, RunPosition position, ILogger logger, StopAgreement stop)
{
    /// <summary>Runs the steps of 0-based <paramref name="epoch"/> not done yet.</summary>
    public void Run(int epoch, CancellationToken cancellation)
    {
        double learningRate = schedule.At(epoch);
        var plan = batches.Plan(epoch);
        int done = epoch == position.Current.Epoch ? position.Current.Step : 0;
        foreach (var batch in batches.Read(epoch, plan, done, cancellation))
        {
            var result = Step(batch, learningRate);
            if (!result.IsFinite)
                throw Diverged(result, epoch, done);
            done++;
            recorder.Record(result, new StepPlace(epoch, done, plan.Count, learningRate), cancellation);
            stop.AfterStep();
            cancellation.ThrowIfCancellationRequested();
        }
        if (batches.LastEpoch is { Failed: > 0 } read)
            logger.LogWarning("epoch {Epoch}: skipped {Failed} unreadable images of {Images}", epoch + 1, read.Failed,
                read.Images);
    }

    private StepResult Step(Batch batch, double learningRate)
    {
        using (batch)
        using (var scope = NewDisposeScope())
            return step.Run(batch.Images.to(device), batch.Labels.to(device), learningRate,
                position.Current.GlobalStep);
    }

    private TrainingDivergedException Diverged(StepResult result, int epoch, int done)
    {
        string terms = string.Concat(result.ExtraLosses.Select(term => $", {term.Term.LossColumn} {term.Loss}"));
        return new TrainingDivergedException(
            $"epoch {epoch + 1}, step {done + 1} (step {position.Current.GlobalStep + 1} of the run): the loss is " +
            $"not finite (loss {result.Loss}, classification {result.ClassificationLoss}{terms}, scale " +
            $"{result.Statistics?.Scale}); stopped without updating the weights; the last good checkpoint is " +
            $"{position.LastGood}. Lower optim.base_lr or check the data");
    }
}
