using Cfcd.Config;
using Cfcd.Distributed;
using Cfcd.Losses;
using Cfcd.Modeling;
using Cfcd.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Benchmarks;

/// <summary>
/// Stage-1 training speed: forward, MadaCos on the cosine classifier, backward and the Nesterov SGD step (the
/// trainer's <see cref="TrainingStep"/>) on random square batches; the first steps warm up and are not timed. Under
/// mpirun each process steps its share of the batch and the gradients are summed over MPI, timed apart. With a HEP
/// config the softmax runs over DC-I-Net's pool of classes (hard classes from the logits) instead of all.
/// </summary>
public static class TrainStepBenchmark
{
    /// <param name="group">The processes sharing each batch (an mpirun launch); null: one process.</param>
    /// <param name="hep">The HEP pool's settings; null: the full softmax.</param>
    public static IEnumerable<BatchMeasurement> Run(NetworkSpec spec, IReadOnlyList<int> sizes, int batch, int warmup,
        int timed, Device device, CancellationToken cancellation, IProcessGroup? group = null, HepConfig? hep = null)
    {
        manual_seed(1);
        group ??= SingleProcessGroup.Instance;
        if (batch % group.Size != 0)
            throw new InputException($"--batch {batch}: not a multiple of the {group.Size} processes");
        using var network = new CfcdNet(spec, zeroInitLastNorm: true);
        network.to(device);
        using var sgd = new Sgd(network.named_parameters().ToList(), momentum: 0.9, nesterov: true, weightDecay: 1e-4);
        var gradients = new TimedGradients(group.Size > 1 ? new AllReduceGradients(group) : null);
        var pool = hep is null ? null : new HardExamplePool(hep, spec.Classes, seed: 1);
        var step = new TrainingStep(network, new MadaCos(0.02), extraLosses: [], sgd, new StepOptions(0, true), group,
            gradients, pool);
        foreach (int size in sizes)
        {
            using var images = randn(batch / group.Size, 3, size, size, device: device);
            using var labels = randint(spec.Classes, batch / group.Size, device: device);
            double reducedBefore = 0;
            int calls = 0;
            var measurement = BatchMeasurement.Time(size, batch, warmup, timed, () =>
            {
                if (calls++ == warmup)
                    reducedBefore = gradients.Seconds;
                step.Run(images, labels, learningRate: 0.005, runStep: calls);
                if (device.type == DeviceType.CUDA)
                    cuda.synchronize();
            }, cancellation);
            yield return group.Size == 1
                ? measurement
                : measurement with { AllReduceShare = (gradients.Seconds - reducedBefore) / measurement.TimedSeconds };
        }
    }
}

