using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Distributed;

/// <summary>
/// Makes the networks of a data-parallel run's processes agree: rank 0's parameters and buffers for all at the
/// start; the mean of the processes' BatchNorm running statistics, which each moves with its own share, before
/// validation and rank 0's checkpoint. Why: one set of weights to start from, and running statistics that saw the
/// whole batch (the mean's are exactly those of one process stepping through the same batches).
/// </summary>
internal static class ModelBroadcast
{
    public static void AverageRunningStatistics(nn.Module network, IProcessGroup group)
    {
        if (group.Size == 1)
            return;
        using var noGrad = no_grad();
        foreach (var (_, buffer) in network.named_buffers().Where(entry => entry.buffer.is_floating_point()))
        {
            using var scope = NewDisposeScope();
            var host = buffer.detach().to(ScalarType.Float64, CPU).contiguous();
            group.SumInPlace(MemoryMarshal.Cast<byte, double>(host.bytes));
            buffer.copy_(host / group.Size);
        }
    }

    public static void FromRankZero(nn.Module network, IProcessGroup group)
    {
        if (group.Size == 1)
            return;
        using var noGrad = no_grad();
        var tensors = network.named_parameters().Select(entry => (Tensor)entry.parameter)
            .Concat(network.named_buffers().Select(entry => entry.buffer));
        foreach (var tensor in tensors)
        {
            using var scope = NewDisposeScope();
            // A CPU tensor's copy shares its memory, so the broadcast writes straight into it.
            var host = tensor.detach().cpu().contiguous();
            group.Broadcast(host.bytes, root: 0);
            if (tensor.device_type != DeviceType.CPU)
                tensor.copy_(host);
        }
    }
}
