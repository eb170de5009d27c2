using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Modeling;

/// <summary>
/// The global descriptor head: GeM pooling, Linear (with bias) to the descriptor size, BatchNorm1d (a <see
/// cref="GhostBatchNorm"/>).
/// Its output is the embedding before L2 normalisation (the loss normalises it; so does extraction).
/// </summary>
internal sealed class CfcdHead : nn.Module<Tensor, Tensor>
{
    private readonly GeM gem;
    private readonly Linear fc;
    private readonly GhostBatchNorm bn;

    public CfcdHead(long inputChannels, long descriptorDim, double gemP = 3.0, bool gemLearnable = false)
        : base(nameof(CfcdHead))
    {
        gem = new GeM(gemP, gemLearnable);
        fc = nn.Linear(inputChannels, descriptorDim, hasBias: true);
        bn = new GhostBatchNorm(descriptorDim);
        RegisterComponents();
    }

    public long DescriptorDim => fc.out_features;

    public bool GemLearnable => gem.Learnable;

    /// <summary>res4 [B, C, H, W] to the embedding [B, D].</summary>
    public override Tensor forward(Tensor res4)
    {
        using var pooled = gem.forward(res4);
        using var projected = fc.forward(pooled);
        return bn.forward(projected);
    }
}
