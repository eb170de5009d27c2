using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Modeling;

public class HeadTests
{
    [Fact]
    public void GemIsTheGeneralisedMeanWithAClampedFloor()
    {
        using var gem = new GeM();
        // Channel 0: values 1..4 -> ((1 + 8 + 27 + 64) / 4)^(1/3); channel 1: zeros clamp to 1e-6.
        var map = tensor(new float[] { 1, 2, 3, 4, 0, 0, 0, 0 }, [1, 2, 2, 2]);
        var pooled = gem.forward(map).data<float>().ToArray();
        Assert.Equal(Math.Cbrt(25.0), pooled[0], 5);
        Assert.Equal(1e-6, pooled[1], 9);
    }

    [Fact]
    public void LearnableGemHasAParameterPThatReceivesGradient()
    {
        using var gem = new GeM(3.0, learnable: true);
        Assert.Equal(["p"], gem.named_parameters().Select(pair => pair.name));
        var output = gem.forward(rand(2, 3, 4, 4) + 0.1);
        output.sum().backward();
        Assert.NotEqual(0.0, gem.parameters().Single().grad!.abs().sum().ToDouble());
        Assert.Empty(new GeM().parameters());
    }

    [Fact]
    public void NetworkNamesAndDescriptorsFollowTheContract()
    {
        using var network = new CfcdNet(new NetworkSpec(new ResNetLayout(18, 4), 8, Classes: 5));
        var names = network.state_dict().Keys.ToList();
        Assert.Contains("backbone.conv1.weight", names);
        Assert.Contains("head.fc.bias", names);
        Assert.Contains("head.bn.running_mean", names);
        Assert.Contains("classifier.weight", names);
        network.eval();
        using var noGrad = no_grad();
        var descriptors = network.forward(randn(3, 3, 64, 64));
        Assert.Equal([3L, 8L], descriptors.shape);
        Assert.True(descriptors.norm(1).allclose(ones(3), rtol: 1e-5, atol: 1e-5));
        Assert.Equal([3L, 5L], network.Classifier.forward(descriptors).shape);
    }

    [Fact]
    public void ClassifierLogitsAreCosines()
    {
        using var classifier = new CosineClassifier(4, 3);
        double bound = 1 / Math.Sqrt(3);
        Assert.True(classifier.parameters().Single().abs().max().ToDouble() <= bound);
        var cosines = classifier.forward(tensor(new float[] { 10, 0, 0, -3, 4, 0 }, [2, 3]));
        Assert.True(cosines.abs().max().ToDouble() <= 1.0 + 1e-6);
        var weight = classifier.parameters().Single();
        double expected = weight[0, 0].ToDouble() / weight[0].norm().ToDouble();
        Assert.Equal(expected, cosines[0, 0].ToDouble(), 5);
    }

    [Fact]
    public void LocalFeaturesAreUnitRowsAndL1Attention()
    {
        var res4 = tensor(new float[] { 3, 0, 1, 2, 4, 0, -1, 2 }, [1, 2, 2, 2]);
        var descriptors = LocalFeatures.Descriptors(res4);
        Assert.Equal([1L, 4L, 2L], descriptors.shape);
        Assert.Equal(new[] { 0.6f, 0.8f }, descriptors[0, 0].data<float>().ToArray());
        Assert.Equal(new[] { 7f, 0f, 2f, 4f }, LocalFeatures.Attention(res4).data<float>().ToArray());
    }
}
