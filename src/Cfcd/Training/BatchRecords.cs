using Cfcd.Distributed;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>
/// The embeddings and labels a step's micro-batches recorded, as the step's global batch: concatenated in
/// micro-batch order and, under several processes, gathered in rank order. Why: terms that remember batches (the
/// feature dictionary, the class centres) must see the same batch in one process as in several.
/// </summary>
internal static class BatchRecords
{
    /// <summary>Empties <paramref name="pending"/> (its tensors live outside dispose scopes) into two tensors of the
    /// caller's dispose scope.</summary>
    public static (Tensor Features, Tensor Labels) Take(List<(Tensor Features, Tensor Labels)> pending,
        IProcessGroup group)
    {
        var features = cat(pending.Select(part => part.Features).ToList(), 0);
        var labels = cat(pending.Select(part => part.Labels).ToList(), 0);
        pending.ForEach(part =>
        {
            part.Features.Dispose();
            part.Labels.Dispose();
        });
        pending.Clear();
        if (group.Size == 1)
            return (features, labels);
        return (Gathered(group, features).to(features.dtype).view(-1, features.shape[1]),
            Gathered(group, labels).to(ScalarType.Int64));
    }

    private static Tensor Gathered(IProcessGroup group, Tensor local) =>
        tensor(group.Gather(local.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray()).All)
            .to(local.device);
}
