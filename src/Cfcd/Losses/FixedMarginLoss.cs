using Cfcd.Config;
using Cfcd.Distributed;
using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>Plain softmax, CosFace or ArcFace with a fixed scale (and margin), for comparison with MadaCos.</summary>
internal sealed class FixedMarginLoss(HeadKind kind, double scale, double margin) : IClassificationLoss
{
    public bool SolvesPerBatch => false;

    public MadaCosStatistics? Solve(Tensor cosines, Tensor labels, IProcessGroup group) => null;

    public Tensor Loss(Tensor cosines, Tensor labels, MadaCosStatistics? statistics) => kind switch
    {
        HeadKind.Softmax => FixedMarginLosses.Softmax(cosines, labels, scale),
        HeadKind.Cosface => FixedMarginLosses.CosFace(cosines, labels, scale, margin),
        HeadKind.Arcface => FixedMarginLosses.ArcFace(cosines, labels, scale, margin),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a fixed-margin head"),
    };
}
