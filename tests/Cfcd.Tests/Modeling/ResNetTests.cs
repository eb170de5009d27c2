using Cfcd.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Tests.Modeling;

public class ResNetTests
{
    [Theory]
    [InlineData(18, 64, false, 512)]
    [InlineData(34, 64, false, 512)]
    [InlineData(50, 64, true, 2048)]
    [InlineData(101, 64, true, 2048)]
    [InlineData(152, 64, true, 2048)]
    [InlineData(50, 4, true, 128)]
    public void LayoutsHaveTheStandardWidths(int depth, int width, bool bottleneck, int outputChannels)
    {
        var layout = new ResNetLayout(depth, width);
        Assert.Equal(bottleneck, layout.Bottleneck);
        Assert.Equal(outputChannels, layout.OutputChannels);
        Assert.Equal(depth, ResNetLayout.DepthOf(bottleneck, layout.BlocksPerStage));
    }

    [Fact]
    public void Resnet50HasTorchvisionsParameterNamesAndCount()
    {
        using var network = new ResNet(new ResNetLayout(50));
        var names = network.named_parameters().Select(pair => pair.name).ToHashSet();
        // torchvision's resnet50 has 161 parameter tensors, two of them the ImageNet fc.
        Assert.Equal(159, names.Count);
        Assert.Contains("layer4.2.bn3.weight", names);
        Assert.Contains("layer3.0.downsample.0.weight", names);
        Assert.DoesNotContain("layer3.1.downsample.0.weight", names);
        Assert.Equal(23_508_032, network.parameters().Sum(parameter => parameter.numel()));
        Assert.Contains("layer1.0.bn1.running_var", network.state_dict().Keys);
    }

    [Fact]
    public void StagesHaveStrides16And32()
    {
        using var network = new ResNet(new ResNetLayout(18, 4));
        network.eval();
        using var noGrad = no_grad();
        var (res3, res4) = network.Stages(randn(2, 3, 64, 96), keepRes3: true);
        Assert.Equal([2L, 16, 4, 6], res3!.shape);
        Assert.Equal([2L, 32, 2, 3], res4.shape);
    }

    [Fact]
    public void ZeroInitSilencesTheLastNormOfEveryBlock()
    {
        using var network = new ResNet(new ResNetLayout(50, 4), zeroInitLastNorm: true);
        var blocks = network.modules().OfType<ResidualBlock>().ToList();
        Assert.Equal(16, blocks.Count);
        Assert.All(blocks, block => Assert.Equal(0.0, block.LastNorm.weight!.abs().sum().ToDouble()));
        Assert.Equal(1.0, network.modules().OfType<Cfcd.Modeling.GhostBatchNorm>().First().weight!.mean().ToDouble());
    }
}
