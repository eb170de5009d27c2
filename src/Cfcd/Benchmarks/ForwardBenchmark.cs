using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Benchmarks;

/// <summary>
/// Inference speed of the descriptor network (backbone, GeM, FC, BN, L2) on random square batches, eval mode,
/// no gradient; the first batches of each size warm up and are not timed.
/// </summary>
public static class ForwardBenchmark
{
    public static IEnumerable<BatchMeasurement> Run(NetworkSpec spec, IReadOnlyList<int> sizes, int batch, int warmup,
        int timed,
        Device device, CancellationToken cancellation)
    {
        using var network = new CfcdNet(spec);
        network.to(device).eval();
        foreach (int size in sizes)
        {
            using var images = randn(batch, 3, size, size, device: device);
            yield return BatchMeasurement.Time(size, batch, warmup, timed, () =>
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var descriptors = network.forward(images);
                if (device.type == DeviceType.CUDA)
                    cuda.synchronize();
            }, cancellation);
        }
    }
}
