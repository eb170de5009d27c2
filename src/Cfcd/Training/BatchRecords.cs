using Cfcd.Distributed;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>
/// The unit-length embeddings and labels a step's micro-batches recorded, handed over at the step's end as the
/// step's global batch: in micro-batch order and, under several processes, gathered in rank order. Why: terms that
/// remember batches (the feature dictionary, the class centres) must see the same batch in one process as in
/// several.
/// </summary>
internal sealed class BatchRecords : IDisposable
{
    private readonly List<(Tensor Features, Tensor Labels)> _pending = [];

    /// <summary>Keeps a micro-batch's embeddings (normalised here, detached) and labels until <see cref="Take"/>;
    /// they live outside the step's dispose scopes.</summary>
    public void Record(Tensor embeddings, Tensor labels)
    {
        using var noGrad = no_grad();
        _pending.Add((nn.functional.normalize(embeddings, p: 2, dim: 1).detach().clone().DetachFromDisposeScope(),
            labels.clone().DetachFromDisposeScope()));
    }

    /// <summary>The recorded batch as two tensors of the caller's dispose scope; the records are emptied.</summary>
    public (Tensor Features, Tensor Labels) Take(IProcessGroup group)
    {
        var features = cat(_pending.Select(part => part.Features).ToList(), 0);
        var labels = cat(_pending.Select(part => part.Labels).ToList(), 0);
        Dispose();
        if (group.Size == 1)
            return (features, labels);
        return (Gathered(group, features).to(features.dtype).view(-1, features.shape[1]),
            Gathered(group, labels).to(ScalarType.Int64));
    }

    public void Dispose()
    {
        foreach (var (features, labels) in _pending)
        {
            features.Dispose();
            labels.Dispose();
        }
        _pending.Clear();
    }

    private static Tensor Gathered(IProcessGroup group, Tensor local) =>
        tensor(group.Gather(local.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray()).All)
            .to(local.device);
}
