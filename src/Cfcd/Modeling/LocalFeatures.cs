using static TorchSharp.torch;

namespace Cfcd.Modeling;

/// <summary>
/// The local-descriptor view of res4 used by the stage-2 loss: one L2-normalised C-vector per location, and a
/// parameter-free attention map, the L1 norm over channels at each location.
/// </summary>
internal static class LocalFeatures
{
    /// <summary>[B, C, h, w] to [B, h*w, C], each row of unit length.</summary>
    public static Tensor Descriptors(Tensor res4)
    {
        using var flat = res4.flatten(2);
        using var locations = flat.transpose(1, 2);
        return nn.functional.normalize(locations, p: 2, dim: 2);
    }

    /// <summary>[B, C, h, w] to [B, h*w]: sum over channels of |x|.</summary>
    public static Tensor Attention(Tensor res4)
    {
        using var magnitude = res4.abs();
        using var summed = magnitude.sum(1);
        return summed.flatten(1);
    }
}
