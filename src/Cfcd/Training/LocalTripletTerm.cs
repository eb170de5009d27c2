using Cfcd.Config;
using Cfcd.Losses;

namespace Cfcd.Training;

/// <summary>
/// Stage 2's local triplet loss over the batch's tuples as an extra loss term: lambda times the triplet sum, divided
/// by batch / loss.local_group (the paper's per-GPU sums of 16 images). Why: the step adds it like any other term.
/// </summary>
/// <param name="weight">lambda, loss.local_weight.</param>
/// <param name="group">loss.local_group; 0: the sum is not divided.</param>
internal sealed class LocalTripletTerm(LocalTripletLoss loss, int tupleSize, double weight, int group) : ILossTerm
{
    public string LossColumn => MetricsRow.LocalLoss;

    public string? TallyColumn => MetricsRow.MatchesPerTuple;

    public bool NeedsRes4 => true;

    public static LocalTripletTerm FromConfig(CfcdConfig config) => new(
        new LocalTripletLoss(config.Loss.LocalMargin, config.Loss.LoweRatio, config.Loss.AttentionKeep),
        config.Sampler.TupleSize, config.Loss.LocalWeight, config.Loss.LocalGroup);

    public LossTermPart Forward(MicroBatchOutputs outputs)
    {
        var result = loss.Forward(outputs.Res4!, tupleSize);
        double scale = group > 0 ? weight * group / outputs.BatchImages : weight;
        return new LossTermPart(result.Loss, scale, new Tally(result.Matches, result.Tuples));
    }
}
