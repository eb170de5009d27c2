using Cfcd.IO;
using Cfcd.Modeling;

namespace Cfcd.Training;

/// <summary>
/// Where the run stands, and the step its last checkpoint holds. Why: a stop or a divergence anywhere in the loop
/// saves, or points to, exactly this.
/// </summary>
/// <param name="writes">Whether this process writes checkpoints (rank 0 of a data-parallel run, or alone).</param>
/// <param name="terms">The extra loss terms, whose state goes into checkpoints.</param>
internal sealed class RunPosition(RunFolder run, CfcdNet network, InputConvention convention, Sgd optimizer,
    TrainingPosition start, bool writes = true, IReadOnlyList<ILossTerm>? terms = null)
{
    private long _savedStep = start.GlobalStep;

    public TrainingPosition Current { get; private set; } = start;

    /// <summary>The last good checkpoint, as a diverged run's message names it.</summary>
    public string LastGood =>
        File.Exists(run.LastCheckpoint) ? $"{run.LastCheckpoint} (after step {_savedStep})" : "none was written yet";

    public bool Writes => writes;

    public void MoveTo(TrainingPosition position) => Current = position;

    /// <summary>Writes the last checkpoint at the current position.</summary>
    public void Save()
    {
        if (!writes)
            return;
        using var scope = TorchSharp.torch.NewDisposeScope();
        var lossState = (terms ?? []).SelectMany(term => term.State()
            .Select(pair => (Name: $"{term.LossColumn}.{pair.Key}", Tensor: pair.Value)))
            .ToDictionary(entry => entry.Name, entry => entry.Tensor);
        TrainingCheckpoint.Write(run.LastCheckpoint, network, convention, optimizer, Current, lossState);
        _savedStep = Current.GlobalStep;
    }

    /// <summary>Saves unless the last checkpoint holds the current position (a stop right after a save).</summary>
    public void SaveIfBehind()
    {
        if (writes && (Current.GlobalStep != _savedStep || !File.Exists(run.LastCheckpoint)))
            Save();
    }

    /// <summary>Keeps a copy of the last checkpoint as the checkpoint of a finished epoch.</summary>
    public void KeepEpoch(int finishedEpochs)
    {
        if (writes)
            AtomicFile.Write(run.EpochCheckpoint(finishedEpochs), stream =>
        {
            using var input = File.OpenRead(run.LastCheckpoint);
            input.CopyTo(stream);
        });
    }
}
