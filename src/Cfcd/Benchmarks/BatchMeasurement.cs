namespace Cfcd.Benchmarks;

/// <summary>One measured input size: images per second over the timed batches, the median batch time and the process's
/// peak memory.</summary>
/// <param name="AllReduceShare">A data-parallel step: the share of its time spent summing gradients; null
/// alone.</param>
public sealed record BatchMeasurement(int Size, int Batch, int TimedBatches, double ImagesPerSecond,
    double MedianBatchSeconds, long PeakResidentBytes, double? AllReduceShare = null)
{
    /// <summary>Seconds of the timed calls together (images per second is the batch over their mean).</summary>
    public double TimedSeconds => Batch * TimedBatches / ImagesPerSecond;

    /// <summary>Measures <paramref name="runBatch"/> (which must finish its work before returning) after <paramref
    /// name="warmup"/> untimed calls.</summary>
    public static BatchMeasurement Time(int size, int batch, int warmup, int timed, Action runBatch,
        CancellationToken cancellation)
    {
        var seconds = new List<double>();
        for (int iteration = 0; iteration < warmup + timed; iteration++)
        {
            cancellation.ThrowIfCancellationRequested();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            runBatch();
            if (iteration >= warmup)
                seconds.Add(clock.Elapsed.TotalSeconds);
        }
        double total = seconds.Sum();
        seconds.Sort();
        return new BatchMeasurement(size, batch, timed, batch * timed / total, seconds[seconds.Count / 2],
            Native.ProcessMemory.PeakResidentBytes());
    }
}
