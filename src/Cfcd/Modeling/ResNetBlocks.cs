using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Modeling;

/// <summary>
/// The two residual blocks of torchvision's ResNet, with its module names (conv1, bn1, ..., downsample.0/.1)
/// so state dicts map by name. "v1.5": the stride sits on the 3x3 convolution.
/// </summary>
internal abstract class ResidualBlock : nn.Module<Tensor, Tensor>
{
    // Registered by the derived block's RegisterComponents under torchvision's name.
    private readonly Sequential? downsample;

    protected ResidualBlock(string name, long inputChannels, long outputChannels, long stride) : base(name)
    {
        if (stride != 1 || inputChannels != outputChannels)
            downsample = nn.Sequential(
                ("0", nn.Conv2d(inputChannels, outputChannels, 1, stride: stride, bias: false)),
                ("1", new GhostBatchNorm(outputChannels)));
    }

    /// <summary>The batch norm that closes the residual branch; zero gamma makes the block start as identity.</summary>
    public abstract GhostBatchNorm LastNorm { get; }

    protected abstract Tensor Residual(Tensor input);

    public override Tensor forward(Tensor input)
    {
        var output = Residual(input);
        if (downsample is null)
            output.add_(input);
        else
            using (var shortcut = downsample.forward(input))
                output.add_(shortcut);
        return output.relu_();
    }

    protected static Tensor ConvNormRelu(Conv2d conv, GhostBatchNorm norm, Tensor input)
    {
        using var convolved = conv.forward(input);
        return norm.forward(convolved).relu_();
    }

    protected static Tensor ConvNorm(Conv2d conv, GhostBatchNorm norm, Tensor input)
    {
        using var convolved = conv.forward(input);
        return norm.forward(convolved);
    }
}

/// <summary>Two 3x3 convolutions (ResNet-18 and -34).</summary>
internal sealed class BasicBlock : ResidualBlock
{
    private readonly Conv2d conv1, conv2;
    private readonly GhostBatchNorm bn1, bn2;

    public BasicBlock(long inputChannels, long width, long stride)
        : base(nameof(BasicBlock), inputChannels, width, stride)
    {
        conv1 = nn.Conv2d(inputChannels, width, 3, stride: stride, padding: 1, bias: false);
        bn1 = new GhostBatchNorm(width);
        conv2 = nn.Conv2d(width, width, 3, padding: 1, bias: false);
        bn2 = new GhostBatchNorm(width);
        RegisterComponents();
    }

    public override GhostBatchNorm LastNorm => bn2;

    protected override Tensor Residual(Tensor input)
    {
        using var first = ConvNormRelu(conv1, bn1, input);
        return ConvNorm(conv2, bn2, first);
    }
}

/// <summary>1x1 reduce, 3x3 (strided), 1x1 expand by 4 (ResNet-50, -101, -152).</summary>
internal sealed class Bottleneck : ResidualBlock
{
    public const int Expansion = 4;

    private readonly Conv2d conv1, conv2, conv3;
    private readonly GhostBatchNorm bn1, bn2, bn3;

    public Bottleneck(long inputChannels, long width, long stride)
        : base(nameof(Bottleneck), inputChannels, width * Expansion, stride)
    {
        conv1 = nn.Conv2d(inputChannels, width, 1, bias: false);
        bn1 = new GhostBatchNorm(width);
        conv2 = nn.Conv2d(width, width, 3, stride: stride, padding: 1, bias: false);
        bn2 = new GhostBatchNorm(width);
        conv3 = nn.Conv2d(width, width * Expansion, 1, bias: false);
        bn3 = new GhostBatchNorm(width * Expansion);
        RegisterComponents();
    }

    public override GhostBatchNorm LastNorm => bn3;

    protected override Tensor Residual(Tensor input)
    {
        using var first = ConvNormRelu(conv1, bn1, input);
        using var second = ConvNormRelu(conv2, bn2, first);
        return ConvNorm(conv3, bn3, second);
    }
}
