using Cfcd.Losses;

namespace Cfcd.Training;

/// <summary>An extra loss term's share of one step: its weighted loss (a mean over the batch) and its tally. Why:
/// the log shows each term in its own column.</summary>
internal sealed record TermResult(ILossTerm Term, double Loss, Tally Tally);

/// <summary>What one optimiser step computed. Why: the log, the progress bar and the divergence check read it.
/// Losses are means over the batch as the optimiser saw them.</summary>
/// <param name="ExtraLosses">The extra loss terms' shares, in the step's order of the terms.</param>
/// <param name="Statistics">MadaCos's solution (of the whole batch, or of the last micro-batch); null for the fixed
/// heads.</param>
/// <param name="Correct">Images whose largest cosine was their own class.</param>
/// <param name="PoolClasses">The classes of the HEP pool the softmax ran over (of the whole batch, or of the last
/// micro-batch); null without HEP.</param>
internal sealed record StepResult(int Images, double ClassificationLoss, IReadOnlyList<TermResult> ExtraLosses,
    MadaCosStatistics? Statistics, int Correct, int? PoolClasses = null)
{
    /// <summary>The loss the optimiser saw: the classification loss plus the extra terms'.</summary>
    public double Loss => ExtraLosses.Aggregate(ClassificationLoss, (sum, term) => sum + term.Loss);

    /// <summary>Whether the loss is finite (a sum is finite only when every part of it is).</summary>
    public bool IsFinite => double.IsFinite(Loss);
}
