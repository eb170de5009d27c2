using Cfcd.Config;
using Cfcd.Distributed;
using Cfcd.Losses;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>
/// The on-line pairing loss over the feature dictionary as an extra loss term: each micro-batch's anchors against
/// the dictionary as it stood at the start of the step; the step's global batch enters the dictionary at its end (in
/// rank order, gathered from every process), from loss.olp.start_step on. Weighted by loss.olp.weight times the
/// micro-batch's share of the batch. Why: the step adds it like any other term, and one process splitting its batch
/// and several processes sharing it see the same dictionary.
/// </summary>
internal sealed class OnlinePairingTerm(OlpConfig olp) : ILossTerm, IDisposable
{
    private readonly FeatureQueue _queue = new(olp.QueueSize, olp.Dtype switch
    {
        StorageType.Float16 => ScalarType.Float16,
        StorageType.Bfloat16 => ScalarType.BFloat16,
        _ => ScalarType.Float32,
    });
    private readonly BatchRecords _records = new();
    private long _steps;

    public string LossColumn => MetricsRow.OlpLoss;

    public string? TallyColumn => null;

    public bool NeedsRes4 => false;

    public LossTermPart Forward(MicroBatchOutputs outputs)
    {
        var (loss, _) = OnlinePairingLoss.Forward(outputs.Embedding, outputs.Labels, _queue.Filled, olp.Scale);
        _records.Record(outputs.Embedding, outputs.Labels);
        return new LossTermPart(loss, olp.Weight * outputs.Labels.shape[0] / outputs.BatchImages, default);
    }

    public void EndStep(IProcessGroup group)
    {
        using var scope = NewDisposeScope();
        var (features, labels) = _records.Take(group);
        if (_steps++ >= olp.StartStep)
            _queue.Enqueue(features, labels);
    }

    public IReadOnlyDictionary<string, Tensor> State()
    {
        var state = _queue.State().ToDictionary(pair => pair.Key, pair => pair.Value);
        state["steps"] = tensor(new[] { _steps });
        return state;
    }

    public void Load(IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        _queue.Load(state, device);
        if (state.TryGetValue("steps", out var steps))
            _steps = steps.data<long>()[0];
    }

    public void Dispose()
    {
        _queue.Dispose();
        _records.Dispose();
    }
}
