using Cfcd.Losses;
using Cfcd.Modeling;
using Cfcd.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Benchmarks;

/// <summary>
/// Stage-1 training speed: forward, MadaCos on the cosine classifier, backward and the Nesterov SGD step (the
/// trainer's <see cref="TrainingStep"/>) on random square batches; the first steps warm up and are not timed.
/// </summary>
public static class TrainStepBenchmark
{
    public static IEnumerable<BatchMeasurement> Run(NetworkSpec spec, IReadOnlyList<int> sizes, int batch, int warmup,
        int timed,
        Device device, CancellationToken cancellation)
    {
        manual_seed(1);
        using var network = new CfcdNet(spec, zeroInitLastNorm: true);
        network.to(device);
        using var sgd = new Sgd(network.named_parameters().ToList(), momentum: 0.9, nesterov: true, weightDecay: 1e-4);
        var step = new TrainingStep(network, new MadaCos(0.02), extraLosses: [], sgd, new StepOptions(0, true));
        foreach (int size in sizes)
        {
            using var images = randn(batch, 3, size, size, device: device);
            using var labels = randint(spec.Classes, batch, device: device);
            yield return BatchMeasurement.Time(size, batch, warmup, timed, () =>
            {
                step.Run(images, labels, learningRate: 0.005);
                if (device.type == DeviceType.CUDA)
                    cuda.synchronize();
            }, cancellation);
        }
    }
}
