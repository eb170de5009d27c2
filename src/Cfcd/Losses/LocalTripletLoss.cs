using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>The stage-2 local loss of one batch of tuples, and how many anchor-positive matches it used.</summary>
internal sealed record LocalTripletResult(Tensor Loss, int Matches, int Tuples);

/// <summary>
/// CFCD's fine stage (docs/method.md section 3) over tuples of res4 maps (anchor, positive, negatives): L2-normalised
/// local descriptors; a positive descriptor j is matched to its nearest anchor descriptor i when they are mutual
/// nearest neighbours, pass Lowe's ratio (nearest over second nearest anchor distance for j) and j is in the top
/// share of the positive's L1 attention. For each match and each negative image, the negative's descriptor nearest
/// the anchor descriptor is mined (on detached features). The loss is the sum of
/// max(0, |a - p|^2 - |a - n|^2 + margin); with no match it is 0 with a gradient path.
/// </summary>
internal sealed class LocalTripletLoss(double margin = 0.1, double loweRatio = 0.9, double attentionKeep = 0.5)
{
    /// <param name="res4">[T * tupleSize, C, h, w], tuples consecutive: anchor, positive, then negatives.</param>
    public LocalTripletResult Forward(Tensor res4, int tupleSize)
    {
        long images = res4.shape[0];
        if (images % tupleSize != 0 || tupleSize < 3)
            throw new ArgumentException($"{images} maps are not whole tuples of {tupleSize}");
        var descriptors = LocalFeatures.Descriptors(res4);
        using var attention = LocalFeatures.Attention(res4.detach());
        Tensor total = res4.sum() * 0.0;
        int matches = 0, tuples = (int)(images / tupleSize);
        for (int tuple = 0; tuple < tuples; tuple++)
        {
            long first = tuple * tupleSize;
            var (anchorIndex, positiveIndex) =
                Match(descriptors[first].detach(), descriptors[first + 1].detach(), attention[first + 1]);
            if (anchorIndex.Length == 0)
                continue;
            matches += anchorIndex.Length;
            using var anchorRows = tensor(anchorIndex, device: res4.device);
            using var positiveRows = tensor(positiveIndex, device: res4.device);
            var anchors = descriptors[first].index_select(0, anchorRows);
            var positives = descriptors[first + 1].index_select(0, positiveRows);
            var positiveDistance = (anchors - positives).pow(2).sum(1);
            for (long negative = first + 2; negative < first + tupleSize; negative++)
            {
                var candidates = descriptors[negative];
                using var nearest = Nearest(anchors.detach(), candidates.detach());
                var negatives = candidates.index_select(0, nearest);
                var negativeDistance = (anchors - negatives).pow(2).sum(1);
                total = total + (positiveDistance - negativeDistance + margin).clamp_min(0).sum();
            }
        }
        return new LocalTripletResult(total, matches, tuples);
    }

    /// <summary>The kept matches (anchor descriptor, positive descriptor) between two [K, C] sets of unit
    /// descriptors.</summary>
    internal (long[] Anchor, long[] Positive) Match(Tensor anchor, Tensor positive, Tensor positiveAttention)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long locations = positive.shape[0];
        var distances = cdist(anchor, positive);                       // [Ka, Kp]
        // per positive column
        var (closest, best) = distances.topk(Math.Min(2, (int)anchor.shape[0]), dim: 0, largest: false);
        var nearestAnchor = best[0];                                    // best2[j]
        var nearestPositiveOfAnchor = distances.argmin(1);              // for each anchor i
        var mutual =
            nearestPositiveOfAnchor.index_select(0, nearestAnchor).eq(arange(locations, device: positive.device));
        var ratio = closest.shape[0] > 1 ? closest[0] / closest[1].clamp_min(1e-12) : ones_like(closest[0]);
        var passesRatio = ratio.le(loweRatio);
        int keep = Math.Max(1, (int)(locations * attentionKeep));
        var attentive = zeros(locations, dtype: ScalarType.Bool, device: positive.device);
        attentive.index_fill_(0, positiveAttention.topk(keep).indexes, true);
        var kept = (mutual & passesRatio & attentive).nonzero().flatten();
        var positiveIndex = kept.cpu().data<long>().ToArray();
        var anchorIndex = nearestAnchor.index_select(0, kept).cpu().data<long>().ToArray();
        return (anchorIndex, positiveIndex);
    }

    private static Tensor Nearest(Tensor queries, Tensor candidates)
    {
        using var distances = cdist(queries, candidates);
        return distances.argmin(1);
    }
}
