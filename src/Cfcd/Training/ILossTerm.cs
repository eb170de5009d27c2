using Cfcd.Distributed;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>What a micro-batch's forward pass gives the extra loss terms. Why: a term reads the step's forward
/// pass instead of running one of its own.</summary>
/// <param name="Res4">The res4 maps; null unless a term needs them.</param>
/// <param name="BatchImages">Images in the whole batch the step optimises, of which this micro-batch is a part.</param>
internal sealed record MicroBatchOutputs(Tensor Embedding, Tensor? Res4, Tensor Labels, int BatchImages);

/// <summary>A count logged as a ratio (matches per tuple). Why: it is summed over micro-batches and steps before
/// dividing, so a logged ratio weighs every tuple alike.</summary>
internal readonly record struct Tally(long Count, long Of)
{
    public static Tally operator +(Tally tally, Tally other) => new(tally.Count + other.Count, tally.Of + other.Of);
}

/// <summary>A term's part of one micro-batch: its loss, the weight the step adds it with and what it counted. Why:
/// the step weighs the loss tensor for backward and its value in double for the log, as it does the local loss.
/// </summary>
internal sealed record LossTermPart(Tensor Loss, double Weight, Tally Tally);

/// <summary>
/// A loss a training step adds to the classification loss. Why: stage 2's local triplet loss is one, DC-I-Net's
/// losses will be others, and each plugs into the step without editing it.
/// </summary>
internal interface ILossTerm
{
    /// <summary>The metrics column of its weighted loss (one of <see cref="MetricsRow.Columns"/>).</summary>
    string LossColumn { get; }

    /// <summary>The metrics column of its tally's ratio; null when it counts nothing.</summary>
    string? TallyColumn { get; }

    /// <summary>Whether it reads the res4 maps (the network keeps them only then).</summary>
    bool NeedsRes4 { get; }

    /// <summary>Its part of one micro-batch, inside the step's dispose scope.</summary>
    LossTermPart Forward(MicroBatchOutputs outputs);

    /// <summary>Called by every process once a step, after the optimiser: a term that keeps something across steps
    /// (DC-I-Net's feature dictionary) updates it here.</summary>
    void EndStep(IProcessGroup group)
    {
    }

    /// <summary>What it keeps across steps, by name, for checkpoints; empty for most terms.</summary>
    IReadOnlyDictionary<string, Tensor> State() => new Dictionary<string, Tensor>();

    /// <summary>Restores <see cref="State"/> from a checkpoint (a resumed run).</summary>
    void Load(IReadOnlyDictionary<string, Tensor> state, Device device)
    {
    }
}
