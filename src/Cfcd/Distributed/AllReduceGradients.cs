using System.Runtime.InteropServices;
using Cfcd.Training;
using TorchSharp.Modules;

namespace Cfcd.Distributed;

/// <summary>
/// Sums every process's gradients through the process group (MPI on CPUs), in buckets. Why: each process's loss is
/// already its share of the global batch's, so the sum is the gradient one process would have of the whole batch.
/// </summary>
internal sealed class AllReduceGradients(IProcessGroup group) : IGradientReducer
{
    public void Reduce(IReadOnlyList<(string Name, Parameter Parameter)> parameters) =>
        GradientBuckets.ReduceAll(parameters, bucket =>
        {
            if (bucket.device_type != TorchSharp.DeviceType.CPU)
                throw new InvalidOperationException("MPI sums CPU gradients; CUDA gradients go through NCCL");
            group.SumInPlace(MemoryMarshal.Cast<byte, float>(bucket.bytes));
        });
}
