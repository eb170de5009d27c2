using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Distributed;

/// <summary>
/// Copies rank 0's parameters and buffers (or buffers only) into every process's network. Why: the processes of a
/// data-parallel run must start from one set of weights, and BatchNorm's running statistics, which each process
/// moves with its own share, must agree before validation and before rank 0's checkpoint.
/// </summary>
internal static class ModelBroadcast
{
    public static void FromRankZero(nn.Module network, IProcessGroup group, bool buffersOnly)
    {
        if (group.Size == 1)
            return;
        using var noGrad = no_grad();
        var tensors = buffersOnly
            ? network.named_buffers().Select(entry => entry.buffer)
            : network.named_parameters().Select(entry => (Tensor)entry.parameter)
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
