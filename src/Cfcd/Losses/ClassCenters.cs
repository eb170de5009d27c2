using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>
/// DC-I-Net's class-centre memory: a unit-length centre per class, moved towards each image of the class in turn,
/// v_y &lt;- normalise(g v_y + (1 - g) x), starting at the class's first image. Why: a running picture of every
/// class that the centre loss (and later HEP's hard classes) read without a pass over the data. Its tensors live
/// outside any dispose scope, for the run; <see cref="State"/> goes into checkpoints.
/// </summary>
internal sealed class ClassCenters(long classes, double momentum) : IDisposable
{
    private Tensor? _centers, _seen;

    /// <summary>The centres [C, D] (zero rows for classes not seen) and which classes have one [C]; null before the
    /// first update.</summary>
    public (Tensor Centers, Tensor Seen)? Table => _centers is null ? null : (_centers, _seen!);

    /// <summary>Moves the centres of <paramref name="labels"/> towards <paramref name="features"/> (unit-length,
    /// detached), one image after another in row order.</summary>
    public void Update(Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (_centers is null)
        {
            _centers = zeros([classes, features.shape[1]], features.dtype, features.device).DetachFromDisposeScope();
            _seen = zeros([classes], ScalarType.Bool, features.device).DetachFromDisposeScope();
        }
        var rows = labels.cpu().data<long>().ToArray();
        for (int row = 0; row < rows.Length; row++)
        {
            var center = _centers.select(0, rows[row]);
            var x = features.select(0, row);
            var moved = _seen![rows[row]].ToBoolean() ? center * momentum + x * (1 - momentum) : x;
            center.copy_(nn.functional.normalize(moved, p: 2, dim: 0));
            _seen[rows[row]] = tensor(true);
        }
    }

    /// <summary>The table as named tensors (a checkpoint's part); empty before the first update.</summary>
    public IReadOnlyDictionary<string, Tensor> State() => _centers is null
        ? new Dictionary<string, Tensor>()
        : new Dictionary<string, Tensor> { ["centers"] = _centers, ["seen"] = _seen!.to(ScalarType.Byte) };

    /// <summary>Restores what <see cref="State"/> gave (a resumed run).</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        if (!state.TryGetValue("centers", out var centers))
            return;
        if (centers.shape[0] != classes)
            throw new InputException($"the checkpoint's class centres are of {centers.shape[0]} classes, the " +
                                     $"training list has {classes}");
        Dispose();
        _centers = centers.to(device).clone().DetachFromDisposeScope();
        _seen = state["seen"].to(device).to(ScalarType.Bool).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _centers?.Dispose();
        _seen?.Dispose();
        _centers = _seen = null;
    }
}
