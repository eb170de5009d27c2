using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>
/// DC-I-Net's dynamic feature dictionary: a FIFO ring of past unit-length embeddings and their labels, oldest
/// overwritten first. Why: the on-line pairing loss compares each anchor with far more negatives than a batch holds.
/// Its tensors live outside any dispose scope, for the run; <see cref="State"/> goes into checkpoints so that a
/// resumed run goes on with the same dictionary.
/// </summary>
/// <param name="storage">How entries are stored (float16 or bfloat16 halve the memory; they are read back as
/// float32).</param>
internal sealed class FeatureQueue(int capacity, ScalarType storage = ScalarType.Float32) : IDisposable
{
    private Tensor? _features, _labels;

    /// <summary>Entries filled so far (at most the capacity).</summary>
    public long Count { get; private set; }

    /// <summary>Where the next entry goes.</summary>
    public long Next { get; private set; }

    /// <summary>The filled entries [Count, D] as float32 and their labels [Count], in slot order; null while empty.
    /// </summary>
    public (Tensor Features, Tensor Labels)? Filled => Count == 0
        ? null
        : (_features!.narrow(0, 0, Count).to(ScalarType.Float32), _labels!.narrow(0, 0, Count));

    /// <summary>Copies <paramref name="features"/> [n, D] (detached) and their labels into the ring; of more than
    /// it holds, the last ones.</summary>
    public void Enqueue(Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long count = features.shape[0], skip = Math.Max(0, count - capacity);
        Allocate(features);
        for (long row = skip; row < count;)
        {
            long run = Math.Min(count - row, capacity - Next);
            _features!.narrow(0, Next, run).copy_(features.narrow(0, row, run));
            _labels!.narrow(0, Next, run).copy_(labels.narrow(0, row, run));
            row += run;
            Next = (Next + run) % capacity;
            Count = Math.Min(capacity, Count + run);
        }
    }

    /// <summary>The dictionary as named tensors (a checkpoint's part); empty while nothing was enqueued.</summary>
    public IReadOnlyDictionary<string, Tensor> State() => _features is null
        ? new Dictionary<string, Tensor>()
        : new Dictionary<string, Tensor>
        {
            ["features"] = _features, ["labels"] = _labels!, ["position"] = tensor(new[] { Count, Next }),
        };

    /// <summary>Restores what <see cref="State"/> gave (a resumed run).</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        if (!state.TryGetValue("features", out var features))
            return;
        if (features.shape[0] != capacity)
            throw new InputException($"the checkpoint's feature dictionary holds {features.shape[0]} entries, " +
                                     $"loss.olp.queue_size is {capacity}");
        Dispose();
        _features = features.to(storage, device).clone().DetachFromDisposeScope();
        _labels = state["labels"].to(device).clone().DetachFromDisposeScope();
        var position = state["position"].data<long>().ToArray();
        (Count, Next) = (position[0], position[1]);
    }

    public void Dispose()
    {
        _features?.Dispose();
        _labels?.Dispose();
        _features = _labels = null;
    }

    private void Allocate(Tensor like)
    {
        if (_features is not null)
            return;
        _features = zeros([capacity, like.shape[1]], storage, like.device).DetachFromDisposeScope();
        _labels = zeros([capacity], ScalarType.Int64, like.device).DetachFromDisposeScope();
    }
}
