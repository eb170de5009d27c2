using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Modeling;

/// <summary>
/// An ImageNet ResNet backbone without its classifier: the stem, then layer1..layer4, with torchvision's
/// module names. <see cref="forward"/> returns res4 (stride 32); <see cref="Stages"/> also returns res3.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly GhostBatchNorm bn1;
    private readonly Sequential layer1, layer2, layer3, layer4;

    public ResNet(ResNetLayout layout, bool zeroInitLastNorm = false) : base(nameof(ResNet))
    {
        Layout = layout;
        conv1 = nn.Conv2d(3, layout.Width, 7, stride: 2, padding: 3, bias: false);
        bn1 = new GhostBatchNorm(layout.Width);
        var stages = new Sequential[4];
        long channels = layout.Width;
        for (int stage = 0; stage < 4; stage++)
        {
            long width = layout.Width << stage;
            var blocks = new (string, nn.Module<Tensor, Tensor>)[layout.BlocksPerStage[stage]];
            for (int index = 0; index < blocks.Length; index++)
            {
                long stride = index == 0 && stage > 0 ? 2 : 1;
                ResidualBlock block = layout.Bottleneck
                    ? new Bottleneck(channels, width, stride)
                    : new BasicBlock(channels, width, stride);
                blocks[index] = (index.ToString(System.Globalization.CultureInfo.InvariantCulture), block);
                channels = layout.StageOutput(stage);
            }
            stages[stage] = nn.Sequential(blocks);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        RegisterComponents();
        Initialise(zeroInitLastNorm);
    }

    public ResNetLayout Layout { get; }

    public override Tensor forward(Tensor images) => Stages(images, keepRes3: false).Res4;

    /// <summary>res4, and res3 (stride 16) when <paramref name="keepRes3"/> is set (otherwise null).</summary>
    public (Tensor? Res3, Tensor Res4) Stages(Tensor images, bool keepRes3)
    {
        using var stem = Stem(images);
        using var res1 = layer1.forward(stem);
        using var res2 = layer2.forward(res1);
        var res3 = layer3.forward(res2);
        var res4 = layer4.forward(res3);
        if (keepRes3)
            return (res3, res4);
        res3.Dispose();
        return (null, res4);
    }

    private Tensor Stem(Tensor images)
    {
        using var convolved = conv1.forward(images);
        using var normalised = bn1.forward(convolved).relu_();
        return nn.functional.max_pool2d(normalised, 3, stride: 2, padding: 1);
    }

    // torchvision's initialisation: He normal (fan out) convolutions, unit BN gamma, zero beta.
    private void Initialise(bool zeroInitLastNorm)
    {
        using var noGrad = no_grad();
        foreach (var module in modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut,
                        nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case GhostBatchNorm norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
            }
        }
        if (zeroInitLastNorm)
            foreach (var block in modules().OfType<ResidualBlock>())
                nn.init.zeros_(block.LastNorm.weight);
    }
}
