using Cfcd.Modeling;

namespace Cfcd.Tests.Modeling;

public class NetworkShapesTests
{
    [Theory]
    [InlineData(18, 8, 3, true)]
    [InlineData(50, 24, 0, false)]
    public void TheShapesAreThoseOfTheNetwork(int depth, int dim, int classes, bool learnable)
    {
        var spec = new NetworkSpec(new ResNetLayout(depth, 4), dim, classes, 3.0, learnable);
        using var network = new CfcdNet(spec);
        var actual = network.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.shape);
        var computed = NetworkShapes.Of(new WeightsShape(spec.Layout, dim, classes, learnable));
        Assert.Equal(actual.Keys.Order(), computed.Keys.Order());
        foreach (var (name, shape) in actual)
            Assert.True(shape.SequenceEqual(computed[name]), name);
        Assert.Equal(new WeightsShape(spec.Layout, dim, classes, learnable), NetworkShapes.Check("x", actual));
    }

    [Fact]
    public void BackboneOnlyWeightsHaveNoHead()
    {
        var backbone = NetworkShapes.Of(new WeightsShape(new ResNetLayout(34, 4), null, 0, false));
        Assert.DoesNotContain(backbone.Keys, name => !name.StartsWith("backbone.", StringComparison.Ordinal));
        Assert.Equal(new WeightsShape(new ResNetLayout(34, 4), null, 0, false), NetworkShapes.Check("x", backbone));
    }

    [Fact]
    public void AStemOutsideTheSupportedWidthsIsRefused()
    {
        var shapes = new Dictionary<string, long[]> { ["backbone.conv1.weight"] = [1L << 40, 3, 7, 7] };
        var error = Assert.Throws<InputException>(() => NetworkShapes.Check("w.pth", shapes));
        Assert.Equal("w.pth: backbone.conv1.weight has shape [1099511627776, 3, 7, 7]; a ResNet stem is " +
                     "[width, 3, 7, 7] with a width of 1 to 1024", error.Message);
    }
}
