using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>
/// DC-I-Net's class-centre memory: a unit-length centre per class, moved towards each image of the class in turn,
/// v_y &lt;- normalise(g v_y + (1 - g) x), starting at the class's first image. Why: a running picture of every
/// class that the centre loss, HEP's hard classes and the tuple sampler's negatives read without a pass over the
/// data. Its tensors live outside any dispose scope, for the run; <see cref="State"/> goes into checkpoints.
/// </summary>
internal sealed class ClassCenters(long classes, double momentum) : IDisposable
{
    /// <summary>Cosines computed at a time when looking for the nearest classes (64 MiB of float32, each chunk freed
    /// before the next).</summary>
    private const long CosinesPerChunk = 1 << 24;

    private Tensor? _centers, _seen, _nearest;
    private long _nearestEpoch = -1;

    /// <summary>The centres [C, D] (zero rows for classes not seen) and which classes have one [C]; null before the
    /// first update.</summary>
    public (Tensor Centers, Tensor Seen)? Table => _centers is null ? null : (_centers, _seen!);

    /// <summary>Moves the centres of <paramref name="labels"/> towards <paramref name="features"/> (unit-length,
    /// detached), one image after another in row order: the k-th images of their classes move their centres together,
    /// after the (k-1)-th.</summary>
    public void Update(Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (_centers is null)
        {
            _centers = zeros([classes, features.shape[1]], features.dtype, features.device).DetachFromDisposeScope();
            _seen = zeros([classes], ScalarType.Bool, features.device).DetachFromDisposeScope();
        }
        using var yes = true.ToScalar();
        var rows = labels.cpu().data<long>().ToArray();
        var before = new Dictionary<long, int>();
        var occurrence = rows.Select(label => before[label] = before.GetValueOrDefault(label, -1) + 1).ToArray();
        for (int round = 0; round < rows.Length && occurrence.Contains(round); round++)
        {
            var these = tensor(Enumerable.Range(0, rows.Length).Where(row => occurrence[row] == round)
                .Select(row => (long)row).ToArray(), device: features.device);
            var classesMoved = labels.index_select(0, these);
            var x = features.index_select(0, these);
            var moved = where(_seen!.index_select(0, classesMoved).unsqueeze(1),
                _centers.index_select(0, classesMoved) * momentum + x * (1 - momentum), x);
            _centers.index_copy_(0, classesMoved, nn.functional.normalize(moved, p: 2, dim: 1));
            _seen.index_fill_(0, classesMoved, yes);
        }
    }

    /// <summary>
    /// For each class, up to <paramref name="count"/> other classes whose centres are nearest its own (highest
    /// cosine), nearest first; none for a class without a centre. Computed when epoch <paramref name="epoch"/> first
    /// asks and kept, in checkpoints too, so that a run resumed mid-epoch plans that epoch's tuples as the stopped run
    /// did.
    /// </summary>
    public int[][] NearestClasses(int epoch, int count)
    {
        int width = (int)Math.Min(count, classes - 1);
        if (_nearestEpoch != epoch || _nearest is null || _nearest.shape[1] != width)
        {
            _nearest?.Dispose();
            _nearest = Nearest(width);
            _nearestEpoch = epoch;
        }
        var ranks = _nearest.data<long>().ToArray();
        return Enumerable.Range(0, (int)classes).Select(c => ranks.Skip(c * width).Take(width)
            .TakeWhile(other => other >= 0).Select(other => (int)other).ToArray()).ToArray();
    }

    /// <summary>Cosines [n, C] of unit-length <paramref name="rows"/> [n, D] to every centre, -inf for the classes
    /// without one; null before the first update.</summary>
    public Tensor? Cosines(Tensor rows)
    {
        if (_centers is null)
            return null;
        using var minusInfinity = float.NegativeInfinity.ToScalar();
        return rows.matmul(_centers.t()).masked_fill(_seen!.logical_not().unsqueeze(0), minusInfinity);
    }

    /// <summary>The table as named tensors (a checkpoint's part); empty before the first update.</summary>
    public IReadOnlyDictionary<string, Tensor> State()
    {
        var state = new Dictionary<string, Tensor>();
        if (_centers is not null)
            (state["centers"], state["seen"]) = (_centers, _seen!.to(ScalarType.Byte));
        if (_nearest is not null)
            (state["nearest"], state["nearest_epoch"]) = (_nearest, tensor(new[] { _nearestEpoch }));
        return state;
    }

    /// <summary>Restores what <see cref="State"/> gave (a resumed run).</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        if (state.TryGetValue("nearest", out var nearest))
        {
            if (nearest.shape[0] != classes)
                throw new InputException($"the checkpoint's nearest classes are of {nearest.shape[0]} classes, the " +
                                         $"training list has {classes}");
            _nearest?.Dispose();
            _nearest = nearest.cpu().clone().DetachFromDisposeScope();
            _nearestEpoch = state["nearest_epoch"].data<long>()[0];
        }
        if (!state.TryGetValue("centers", out var centers))
            return;
        if (centers.shape[0] != classes)
            throw new InputException($"the checkpoint's class centres are of {centers.shape[0]} classes, the " +
                                     $"training list has {classes}");
        _centers?.Dispose();
        _seen?.Dispose();
        _centers = centers.to(device).clone().DetachFromDisposeScope();
        _seen = state["seen"].to(device).to(ScalarType.Bool).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _centers?.Dispose();
        _seen?.Dispose();
        _nearest?.Dispose();
        _centers = _seen = _nearest = null;
    }

    /// <summary>[classes, count] int64 on the CPU, -1 past a class's last neighbour with a centre.</summary>
    private Tensor Nearest(int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var nearest = full(classes, count, -1L, ScalarType.Int64);
        if (_centers is null || count == 0)
            return nearest.DetachFromDisposeScope();
        using var none = (-1L).ToScalar();
        var unseen = _seen!.logical_not();
        long rows = Math.Max(1, CosinesPerChunk / classes);
        for (long start = 0; start < classes; start += rows)
        {
            using var chunkScope = NewDisposeScope();
            long n = Math.Min(rows, classes - start);
            var self = arange(start, start + n, device: _centers.device).unsqueeze(1);
            var (values, indices) = OtherClasses.Top(Cosines(_centers.narrow(0, start, n))!, self, count);
            var chunk = indices.masked_fill(values.isinf(), none).masked_fill(unseen.narrow(0, start, n).unsqueeze(1),
                none);
            nearest.narrow(0, start, n).copy_(chunk.cpu());
        }
        return nearest.DetachFromDisposeScope();
    }
}
