using System.Diagnostics;
using Cfcd.Modeling;
using Cfcd.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Benchmarks;

/// <summary>One measured input size: images per second over the timed batches and the process's peak memory.</summary>
public sealed record ForwardMeasurement(int Size, int Batch, int TimedBatches, double ImagesPerSecond, double MedianBatchSeconds, long PeakResidentBytes);

/// <summary>
/// Inference speed of the descriptor network (backbone, GeM, FC, BN, L2) on random square batches, eval mode,
/// no gradient; the first batches of each size warm up and are not timed.
/// </summary>
public static class ForwardBenchmark
{
    public static IEnumerable<ForwardMeasurement> Run(NetworkSpec spec, IReadOnlyList<int> sizes, int batch, int warmup, int timed,
        Device device, CancellationToken cancellation)
    {
        using var network = new CfcdNet(spec);
        network.to(device).eval();
        foreach (int size in sizes)
        {
            var seconds = new List<double>();
            for (int iteration = 0; iteration < warmup + timed; iteration++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var images = randn(batch, 3, size, size, device: device);
                var clock = Stopwatch.StartNew();
                var descriptors = network.forward(images);
                if (device.type == DeviceType.CUDA)
                    cuda.synchronize();
                _ = descriptors.shape;
                if (iteration >= warmup)
                    seconds.Add(clock.Elapsed.TotalSeconds);
            }
            seconds.Sort();
            double median = seconds[seconds.Count / 2];
            yield return new ForwardMeasurement(size, batch, timed, batch * timed / seconds.Sum(), median, ProcessMemory.PeakResidentBytes());
        }
    }
}
