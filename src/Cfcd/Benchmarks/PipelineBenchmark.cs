using System.Diagnostics;
using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Modeling;
using Cfcd.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cfcd.Benchmarks;

/// <summary>Training-pipeline throughput: decode, random-resized crop, flip, lighting, normalisation into batch
/// tensors.</summary>
public sealed record PipelineMeasurement(int Images, double Seconds, double ImagesPerSecond, int Failed,
    long PeakResidentBytes);

public static class PipelineBenchmark
{
    /// <summary>Runs epochs over <paramref name="images"/> until <paramref name="count"/> images were loaded after one
    /// warm-up batch.</summary>
    public static PipelineMeasurement Run(IReadOnlyList<string> images, DataConfig data, InputConvention convention,
        int batch, int count, CancellationToken cancellation)
    {
        var samples = images.Select(path => new ImageSample(path, 0)).ToList();
        var loader = new BatchLoader(samples, new TrainTransform(data, convention),
            new LoaderOptions(data.Workers, data.Prefetch, MaxFailureRate: 1.0, MaxImagePixels: data.MaxImagePixels),
            seed: 1, NullLogger.Instance);
        var sampler = new RandomSampler(samples.Count, batch, seed: 1);
        Stopwatch? clock = null;
        int loaded = 0, failed = 0;
        for (int epoch = 0; loaded < count; epoch++)
        {
            foreach (var loadedBatch in loader.Epoch(epoch, sampler.Epoch(epoch), cancellation))
            {
                using (loadedBatch)
                {
                    if (clock is null)
                    {
                        clock = Stopwatch.StartNew();
                        continue;
                    }
                    loaded += loadedBatch.Count;
                    failed += loadedBatch.Skipped;
                }
                if (loaded >= count)
                    break;
            }
        }
        double seconds = clock!.Elapsed.TotalSeconds;
        return new PipelineMeasurement(loaded, seconds, loaded / seconds, failed, ProcessMemory.PeakResidentBytes());
    }
}
