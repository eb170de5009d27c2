using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Distributed;

/// <summary>
/// The gradients of a network's parameters in flat buckets of about <see cref="BucketBytes"/>, in parameter order.
/// Why: one collective operation per bucket instead of one per parameter (161 for a ResNet-50) is what makes an
/// all-reduce cheap; every process forms the same buckets because it has the same parameters.
/// </summary>
internal static class GradientBuckets
{
    public const long BucketBytes = 32L << 20;

    /// <summary>Calls <paramref name="reduce"/> on each bucket (a contiguous float32 tensor on the parameters'
    /// device) and copies the result back into the gradients. A parameter without a gradient takes part with
    /// zeros, so that every process sends the same sizes.</summary>
    public static void ReduceAll(IReadOnlyList<(string Name, Parameter Parameter)> parameters, Action<Tensor> reduce)
    {
        foreach (var bucket in Split(parameters))
        {
            using var scope = NewDisposeScope();
            var flat = cat(bucket.Select(entry => entry.Parameter.grad is { } grad
                ? grad.reshape(-1)
                : zeros(entry.Parameter.numel(), ScalarType.Float32, entry.Parameter.device)).ToList(), 0);
            reduce(flat);
            long offset = 0;
            foreach (var (_, parameter) in bucket)
            {
                long count = parameter.numel();
                if (parameter.grad is { } grad)
                    grad.copy_(flat.narrow(0, offset, count).view_as(grad));
                offset += count;
            }
        }
    }

    private static IEnumerable<List<(string Name, Parameter Parameter)>> Split(
        IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        var bucket = new List<(string Name, Parameter Parameter)>();
        long bytes = 0;
        foreach (var entry in parameters)
        {
            bucket.Add(entry);
            bytes += entry.Parameter.numel() * sizeof(float);
            if (bytes >= BucketBytes)
            {
                yield return bucket;
                bucket = [];
                bytes = 0;
            }
        }
        if (bucket.Count > 0)
            yield return bucket;
    }
}
