using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>The comparison heads on cosine logits: plain softmax (s cos), CosFace (s (cos - m) on the target) and
/// ArcFace (s cos(theta + m)).</summary>
internal static class FixedMarginLosses
{
    public static Tensor Softmax(Tensor cosines, Tensor labels, double scale)
    {
        using var logits = cosines * scale;
        return nn.functional.cross_entropy(logits, labels);
    }

    public static Tensor CosFace(Tensor cosines, Tensor labels, double scale, double margin)
    {
        using var oneHot = nn.functional.one_hot(labels, cosines.shape[1]).to(cosines.dtype);
        using var logits = (cosines - oneHot * margin) * scale;
        return nn.functional.cross_entropy(logits, labels);
    }

    public static Tensor ArcFace(Tensor cosines, Tensor labels, double scale, double margin)
    {
        using var oneHot = nn.functional.one_hot(labels, cosines.shape[1]).to(cosines.dtype);
        // Clamp away from +-1 so acos has a finite gradient.
        using var angles = cosines.clamp(-1 + 1e-7, 1 - 1e-7).acos();
        using var shifted = (angles + oneHot * margin).cos();
        using var logits = shifted * scale;
        return nn.functional.cross_entropy(logits, labels);
    }
}
