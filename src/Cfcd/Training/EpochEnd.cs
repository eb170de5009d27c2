namespace Cfcd.Training;

/// <summary>
/// The end of an epoch: validation, the checkpoint (kept every train.keep_every epochs) and the curves. Why: in this
/// order the checkpoint holds the validation's metrics row, and the curves draw what the checkpoint saw.
/// </summary>
/// <param name="agreeOnBuffers">Makes the processes of a data-parallel run agree on BatchNorm's running statistics
/// before validation and the checkpoint.</param>
internal sealed class EpochEnd(RunFolder run, int keepEvery, ValidationPass? validation, RunMetrics metrics,
    RunPosition position, Action agreeOnBuffers)
{
    /// <summary>The last validation; null before the first or without a validation list.</summary>
    public Accuracy? LastValidation { get; private set; }

    /// <summary>Ends 0-based <paramref name="epoch"/>, whose steps are all done.</summary>
    public void Finish(int epoch, CancellationToken cancellation)
    {
        agreeOnBuffers();
        if (validation is not null)
            LastValidation = validation.Run(epoch, position.Current.GlobalStep, cancellation);
        position.MoveTo(position.Current with { Epoch = epoch + 1, Step = 0, MetricsRows = metrics.Rows });
        position.Save();
        if ((epoch + 1) % keepEvery == 0)
            position.KeepEpoch(epoch + 1);
        if (position.Writes)
            TrainingCurves.Write(MetricsLog.Read(run.Metrics), run.Curves);
    }
}
