using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>Each row's highest-scoring classes but one. Why: HEP's confusing classes leave out the image's own class,
/// and a class's nearest centres leave out its own.</summary>
internal static class OtherClasses
{
    /// <summary>The <paramref name="count"/> highest scores of each row of <paramref name="scores"/> [n, C] and their
    /// classes, leaving out column <paramref name="own"/>[row] ([n, 1] int64); entries of -inf (no candidate) come
    /// last, with value -inf.</summary>
    public static (Tensor Values, Tensor Indices) Top(Tensor scores, Tensor own, int count) =>
        scores.scatter(1, own, full_like(own, float.NegativeInfinity, scores.dtype)).topk(count, dim: 1);
}
