using Cfcd.Modeling;

namespace Cfcd.Tests.Modeling;

public class LoadedNetworkTests
{
    [Fact]
    public void OneCallGivesTheWholeNetworkWithItsConventionAndSource()
    {
        using var model = FixtureModel.Load();
        Assert.Equal(new NetworkSpec(new ResNetLayout(50, 4), 24, 10), model.Network.Spec);
        Assert.Equal(InputConvention.Pycls, model.Convention);
        Assert.Equal(WeightsSource.CfcdCheckpoint, model.Source);
        Assert.Equal(FixtureModel.Checkpoint, model.Path);
        using var weights = NetworkWeights.Load(FixtureModel.Checkpoint);
        Assert.Equal(weights.Describe(), model.Describe());
        var network = model.Network.state_dict();
        Golden.AssertSameTensors(weights.Tensors,
            weights.Tensors.Keys.ToDictionary(name => name, name => network[name]));
    }

    [Fact]
    public void BackboneOnlyWeightsAreRefusedNamingTheirFile()
    {
        string path = TestPaths.Fixture("Modeling", "torchvision_r18w4.pth");
        var error = Assert.Throws<InputException>(() => LoadedNetwork.Load(path));
        Assert.StartsWith($"{path}: backbone-only Torchvision weights have no CFCD head", error.Message);
    }
}
