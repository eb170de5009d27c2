using Cfcd.Config;
using Cfcd.Distributed;
using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>
/// A classification loss on cosine logits [B, classes]. MadaCos solves its scale and margin from a whole logical
/// batch (<see cref="Solve"/>) and applies them to any part of it (<see cref="Loss"/>), so a batch split into
/// micro-batches gets one scale and margin; the fixed-margin heads have nothing to solve.
/// </summary>
internal interface IClassificationLoss
{
    /// <summary>Whether <see cref="Solve"/> depends on the batch (so a split batch needs a statistics pass
    /// first).</summary>
    bool SolvesPerBatch { get; }

    /// <summary>The batch statistics to pass to <see cref="Loss"/> (training mode, no gradient); null for fixed
    /// heads.</summary>
    MadaCosStatistics? Solve(Tensor cosines, Tensor labels, IProcessGroup group);

    /// <summary>Mean cross-entropy over the rows of <paramref name="cosines"/>.</summary>
    Tensor Loss(Tensor cosines, Tensor labels, MadaCosStatistics? statistics);

    /// <summary>The head a config asks for.</summary>
    static IClassificationLoss Create(LossConfig loss) => loss.Head switch
    {
        HeadKind.Madacos => new MadaCos(loss.Alpha),
        _ => new FixedMarginLoss(loss.Head, loss.Scale, loss.Margin),
    };
}
