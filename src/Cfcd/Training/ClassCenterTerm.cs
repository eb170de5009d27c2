using Cfcd.Config;
using Cfcd.Distributed;
using Cfcd.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>
/// DC-I-Net's class-centre memory with a centre loss as an extra loss term: each micro-batch's embeddings against
/// the centres as they stood at the start of the step, mean of 1 - cos(x, v_y) over the images whose class has a
/// centre (centres detached), weighted by loss.centers.weight times the micro-batch's share; the step's global batch
/// moves the centres at its end, in rank order. Why: the step adds it like any other term, and one process and
/// several see the same centres.
/// </summary>
internal sealed class ClassCenterTerm(CentersConfig centers, long classes) : ILossTerm, IDisposable
{
    private readonly ClassCenters _centers = new(classes, centers.Momentum);
    private readonly BatchRecords _records = new();

    /// <summary>The memory the term moves (HEP's hard classes and the sampler's negatives read it too).</summary>
    public ClassCenters Centers => _centers;

    public string LossColumn => MetricsRow.CenterLoss;

    public string? TallyColumn => null;

    public bool NeedsRes4 => false;

    public LossTermPart Forward(MicroBatchOutputs outputs)
    {
        var unit = nn.functional.normalize(outputs.Embedding, p: 2, dim: 1);
        var loss = unit.sum() * 0;
        if (_centers.Table is var (table, seen))
        {
            var has = seen.index_select(0, outputs.Labels);
            if (has.any().ToBoolean())
                loss = (1 - (unit * table.index_select(0, outputs.Labels).detach()).sum(1)).masked_select(has).mean();
        }
        _records.Record(outputs.Embedding, outputs.Labels);
        return new LossTermPart(loss, centers.Weight * outputs.Labels.shape[0] / outputs.BatchImages, default);
    }

    public void EndStep(IProcessGroup group)
    {
        using var scope = NewDisposeScope();
        var (features, labels) = _records.Take(group);
        _centers.Update(features, labels);
    }

    public IReadOnlyDictionary<string, Tensor> State() => _centers.State();

    public void Load(IReadOnlyDictionary<string, Tensor> state, Device device) => _centers.Load(state, device);

    public void Dispose()
    {
        _centers.Dispose();
        _records.Dispose();
    }
}
