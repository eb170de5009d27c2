using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Modeling;

/// <summary>
/// Generalised-mean pooling over the spatial positions: (mean x^p)^(1/p) with x clamped at 1e-6.
/// p is fixed (3 in CFCD) or, as an option, a learned parameter named <c>p</c>.
/// </summary>
internal sealed class GeM : nn.Module<Tensor, Tensor>
{
    private const double ClampMin = 1e-6;
    private readonly double _fixedP;
    private readonly Parameter? p;

    public GeM(double p = 3.0, bool learnable = false) : base(nameof(GeM))
    {
        if (p <= 0)
            throw new ArgumentOutOfRangeException(nameof(p), p, "GeM p must be positive");
        _fixedP = p;
        if (learnable)
            this.p = new Parameter(tensor(new[] { (float)p }));
        RegisterComponents();
    }

    public bool Learnable => p is not null;

    /// <summary>[B, C, H, W] to [B, C].</summary>
    public override Tensor forward(Tensor map)
    {
        using var clamped = map.clamp_min(ClampMin);
        if (p is null)
        {
            using var powered = clamped.pow(_fixedP);
            using var mean = powered.mean([2, 3]);
            return mean.pow(1.0 / _fixedP);
        }
        using var learnedPowered = clamped.pow(p);
        using var learnedMean = learnedPowered.mean([2, 3]);
        using var inverse = p.reciprocal();
        return learnedMean.pow(inverse);
    }
}
