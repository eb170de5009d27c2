using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>
/// DC-I-Net's on-line pairing loss (docs/method.md section 6): for every anchor and in-batch positive (same label,
/// another image), the softmax cross-entropy of s cos(anchor, positive) against s cos(anchor, n) for every negative n
/// of the batch and the feature dictionary (entries of the anchor's label are left out), averaged over the pairs.
/// Positives and negatives are detached: the gradient goes through the anchor only. Why: it pulls an image towards
/// its class's other images against many more negatives than a batch holds.
/// </summary>
internal static class OnlinePairingLoss
{
    /// <param name="embeddings">[B, D] the batch's embeddings (normalised here).</param>
    /// <param name="labels">[B] their classes.</param>
    /// <param name="memory">The dictionary's unit-length entries [Q, D] and labels [Q]; null while empty.</param>
    /// <returns>The mean loss (zero, still in the graph, when no anchor has a positive) and the number of pairs.
    /// </returns>
    public static (Tensor Loss, long Pairs) Forward(Tensor embeddings, Tensor labels,
        (Tensor Features, Tensor Labels)? memory, double scale)
    {
        var anchors = nn.functional.normalize(embeddings, p: 2, dim: 1);
        var keys = anchors.detach();
        var keyLabels = labels;
        if (memory is var (features, memoryLabels))
        {
            keys = cat([keys, features.detach().to(keys.dtype)], 0);
            keyLabels = cat([labels, memoryLabels], 0);
        }
        var logits = anchors.matmul(keys.t()) * scale;
        var sameLabel = labels.unsqueeze(1).eq(keyLabels.unsqueeze(0));
        long batch = labels.shape[0];
        var positives = sameLabel.narrow(1, 0, batch).logical_and(eye(batch, dtype: ScalarType.Bool,
            device: labels.device).logical_not());
        var negatives = logits.masked_fill(sameLabel, double.NegativeInfinity).logsumexp(1, keepdim: true);
        var pairLosses = nn.functional.softplus(negatives - logits.narrow(1, 0, batch)).masked_select(positives);
        long pairs = pairLosses.shape[0];
        return (pairs == 0 ? anchors.sum() * 0 : pairLosses.mean(), pairs);
    }
}
