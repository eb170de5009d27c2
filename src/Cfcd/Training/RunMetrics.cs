namespace Cfcd.Training;

/// <summary>metrics.csv and the TensorBoard events, fed the same rows. Why: the two must never disagree.</summary>
internal sealed class RunMetrics(MetricsLog? csv, TensorBoardLog? tensorBoard) : IDisposable
{
    /// <summary>The metrics of a process that does not write the run folder (not rank 0): rows are dropped.</summary>
    public static RunMetrics None => new(null, null);

    /// <summary>Data rows in metrics.csv.</summary>
    public int Rows => csv?.Rows ?? 0;

    /// <summary>Opens the run's metrics, keeping the first <paramref name="keepRows"/> rows of metrics.csv.</summary>
    public static RunMetrics Open(RunFolder run, int keepRows) =>
        new(MetricsLog.Open(run.Metrics, keepRows), new TensorBoardLog(run.TensorBoard));

    public void Append(MetricsRow row)
    {
        csv?.Append(row);
        tensorBoard?.Append(row);
    }

    public void Dispose() => csv?.Dispose();
}
