using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Cfcd.Modeling;

/// <summary>What training-mode passes do with the BatchNorm running statistics.</summary>
public enum NormStatistics
{
    /// <summary>Move them towards this pass's batch statistics (PyTorch's behaviour).</summary>
    Update,
    /// <summary>Collect this pass's statistics and move the running statistics once, at <see
    /// cref="GhostBatchNorm.Commit"/>: micro-batches of one step then count as one batch.</summary>
    Accumulate,
    /// <summary>Leave them as they are (a no-grad pass that only measures).</summary>
    Frozen,
}

/// <summary>
/// BatchNorm (eps 1e-5, momentum 0.1, PyTorch's state-dict names) over [N, C] or [N, C, H, W]. With
/// <see cref="GhostSize"/>, training normalises each consecutive group of that many images with its own statistics,
/// as the paper's 8 GPUs x 16 images did, and the running statistics move towards the mean of the groups'
/// statistics: running = 0.9 running + 0.1 mean over groups (unbiased variance, as PyTorch).
/// </summary>
internal sealed class GhostBatchNorm : BatchNorm
{
    private const double Epsilon = 1e-5, Momentum = 0.1;
    private readonly List<(Tensor Mean, Tensor Variance)> _pending = new();

    public GhostBatchNorm(long features)
        : base(features, Epsilon, Momentum, affine: true, track_running_stats: true, null, null, nameof(GhostBatchNorm))
    {
    }

    /// <summary>Images per normalisation group in training; 0 normalises the whole batch at once.</summary>
    public int GhostSize { get; set; }

    public NormStatistics Statistics { get; set; }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        if (!training)
            return F.batch_norm(input, running_mean, running_var, weight, bias, training: false, Momentum, eps);
        bool oneGroup = GhostSize <= 0 || input.shape[0] <= GhostSize;
        if (oneGroup && Statistics == NormStatistics.Update)
        {
            num_batches_tracked!.add_(1);
            return F.batch_norm(input, running_mean, running_var, weight, bias, training: true, Momentum, eps);
        }
        using var scope = NewDisposeScope();
        var groups = oneGroup ? [input] : input.split(GhostSize);
        var statistics = new List<(Tensor Mean, Tensor Variance)>();
        var outputs = new Tensor[groups.Length];
        for (int group = 0; group < groups.Length; group++)
        {
            // With momentum 1 the "running" buffers passed in come back holding exactly this group's statistics.
            var (mean, variance) = (zeros_like(running_mean!), ones_like(running_var!));
            outputs[group] = F.batch_norm(groups[group], mean, variance, weight, bias, training: true, 1.0, eps);
            statistics.Add((mean.DetachFromDisposeScope(), variance.DetachFromDisposeScope()));
        }
        if (Statistics == NormStatistics.Accumulate)
            _pending.AddRange(statistics);
        else
            Apply(statistics);
        return cat(outputs, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Moves the running statistics once towards the mean of the statistics accumulated since the last
    /// commit.</summary>
    public void Commit()
    {
        if (_pending.Count > 0)
            Apply([.. _pending]);
        _pending.Clear();
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.dim() is not (2 or 4))
            throw new ArgumentException("GhostBatchNorm expects [N, C] or [N, C, H, W], got " +
                                        $"[{string.Join(", ", input.shape)}]");
    }

    private void Apply(List<(Tensor Mean, Tensor Variance)> statistics)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (Statistics != NormStatistics.Frozen)
        {
            running_mean!.mul_(1 - Momentum).add_(stack(statistics.Select(pair => pair.Mean)).mean([0]), Momentum);
            running_var!.mul_(1 - Momentum).add_(stack(statistics.Select(pair => pair.Variance)).mean([0]), Momentum);
            num_batches_tracked!.add_(1);
        }
        foreach (var (mean, variance) in statistics)
        {
            mean.Dispose();
            variance.Dispose();
        }
    }
}
