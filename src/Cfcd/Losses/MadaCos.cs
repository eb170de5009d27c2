using Cfcd.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>What MadaCos solved for one batch (logged every iteration).</summary>
/// <param name="LogB">ln B, the median sample's summed non-target exp(s cos), kept in log space.</param>
internal sealed record MadaCosStatistics(double Scale, double Margin, double MedianCosine, double LogB);

/// <summary>
/// MadaCos (CFCD, docs/method.md section 2): an adaptive scale and margin re-solved for every batch from the lower
/// median of the target cosines, so that the median sample's target probability is exactly alpha. Scale and margin
/// are constants for the gradient. B is computed in log space (logsumexp): the reference's float exp(s cos) overflows
/// at large scales and silently ends with a zero margin; here a scale of 200 still gives the exact margin.
/// </summary>
internal sealed class MadaCos(double alpha = 0.02) : IClassificationLoss
{
    /// <summary>The scale never goes below this (it stays there until the median cosine passes about 0.375).</summary>
    public const double MinimumScale = 32.0;

    private readonly double _scaleNumerator = Math.Log(9999999.0 * (1 - alpha) / alpha);
    private readonly double _logOdds = Math.Log(alpha / (1 - alpha));

    public bool SolvesPerBatch => true;

    /// <summary>Mean cross-entropy of the margin logits; <paramref name="training"/> false gives margin 0.</summary>
    /// <param name="cosines">[B, classes] cosines between embeddings and class weights.</param>
    /// <param name="labels">[B] int64 class indices.</param>
    public (Tensor Loss, MadaCosStatistics Statistics) Forward(Tensor cosines, Tensor labels, bool training)
    {
        var statistics = Solve(cosines, labels, training);
        return (Loss(cosines, labels, statistics), statistics);
    }

    MadaCosStatistics? IClassificationLoss.Solve(Tensor cosines, Tensor labels, IProcessGroup group) =>
        Solve(cosines, labels, training: true, group);

    /// <summary>Mean cross-entropy with the scale and margin of <paramref name="statistics"/> (solved on this batch or
    /// on the whole batch it is part of).</summary>
    public Tensor Loss(Tensor cosines, Tensor labels, MadaCosStatistics? statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        using var oneHot = nn.functional.one_hot(labels, cosines.shape[1]).to(cosines.dtype);
        using var scaled = cosines * statistics.Scale;
        using var logits = scaled - oneHot * (statistics.Scale * statistics.Margin);
        return nn.functional.cross_entropy(logits, labels);
    }

    /// <summary>Scale, margin, median cosine and ln B for a batch, without gradient.</summary>
    /// <param name="group">The processes whose parts make up the batch, in rank order (a data-parallel run): the
    /// target cosines are gathered, and the rank holding the median sample adds its ln B.</param>
    public MadaCosStatistics Solve(Tensor cosines, Tensor labels, bool training, IProcessGroup? group = null)
    {
        group ??= SingleProcessGroup.Instance;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Float64 only for what the solution reads: the target cosines and the median sample's row.
        var detached = cosines.detach();
        var local = detached.gather(1, labels.unsqueeze(1)).squeeze(1).to(ScalarType.Float64).cpu();
        var (all, first) = group.Gather(local.data<double>().ToArray());
        var targets = tensor(all, ScalarType.Float64);
        var (sorted, order) = targets.sort();
        int middle = (int)((targets.shape[0] - 1) / 2);
        double median = sorted[middle].ToDouble();
        long medianSample = order[middle].ToInt64() - first;
        double scale = Math.Max(MinimumScale, _scaleNumerator / Math.Max(1 - median, 1e-6));

        Span<double> logB = [0];
        if (medianSample >= 0 && medianSample < local.shape[0])
        {
            var row = detached[medianSample].to(ScalarType.Float64) * scale;
            row[labels[medianSample].ToInt64()] = double.NegativeInfinity;
            logB[0] = row.logsumexp(0).ToDouble();
        }
        group.SumInPlace(logB);
        double margin = training ? Math.Max(0, median - (logB[0] + _logOdds) / scale) : 0;
        return new MadaCosStatistics(scale, margin, median, logB[0]);
    }
}
