using Cfcd.Config;
using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Modeling;

public class NetworkWeightsTests
{
    private static string Fixture(string name) => TestPaths.Fixture("Modeling", name);

    [Fact]
    public void CfcdCheckpointGivesTheWholeNetworkAndPyclsConvention()
    {
        using var weights = NetworkWeights.Load(Fixture("cfcd_r50w4.pyth"));
        Assert.Equal(WeightsSource.CfcdCheckpoint, weights.Source);
        Assert.Equal(new NetworkSpec(new ResNetLayout(50, 4), 24, 10), weights.CompleteSpec("x"));
        Assert.Equal(InputConvention.Pycls, weights.Convention);
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_classifier.npy"), weights.Tensors["classifier.weight"], 0);
        using var network = new CfcdNet(weights.CompleteSpec("x"));
        weights.LoadInto(network, "x");
    }

    [Fact]
    public void LegacyAndZipFormatsHoldTheSameTensors()
    {
        using var zip = NetworkWeights.Load(Fixture("cfcd_r50w4.pyth"));
        using var legacy = NetworkWeights.Load(Fixture("cfcd_r50w4_legacy.pyth"));
        Golden.AssertSameTensors(zip.Tensors, legacy.Tensors);
    }

    [Fact]
    public void TorchvisionAndPyclsBackbonesMapToTheSameNamesWithTheirConventions()
    {
        using var torchvision = NetworkWeights.Load(Fixture("torchvision_r18w4.pth"));
        using var pycls = NetworkWeights.Load(Fixture("pycls_r18w4_legacy.pyth"));
        Assert.Equal(WeightsSource.Torchvision, torchvision.Source);
        Assert.Equal(WeightsSource.PyclsImageNet, pycls.Source);
        Assert.Equal(InputConvention.Torchvision, torchvision.Convention);
        Assert.Equal(InputConvention.Pycls, pycls.Convention);
        Assert.Equal(new ResNetLayout(18, 4), torchvision.Layout);
        Assert.Null(torchvision.DescriptorDim);
        Assert.Equal(torchvision.Tensors.Keys.Order(), pycls.Tensors.Keys.Order());
        Assert.DoesNotContain(torchvision.Tensors.Keys, key => key.StartsWith("fc.") || key.StartsWith("head."));
        var error = Assert.Throws<InputException>(() => torchvision.CompleteSpec("r18.pth"));
        Assert.StartsWith("r18.pth: backbone-only Torchvision weights have no CFCD head", error.Message);
    }

    [Fact]
    public void BackboneMatchesPyTorch()
    {
        using var weights = NetworkWeights.Load(Fixture("pycls_r18w4_legacy.pyth"));
        using var network = new CfcdNet(new NetworkSpec(weights.Layout, 8));
        weights.LoadInto(network, "x", backboneOnly: true);
        network.eval();
        using var noGrad = no_grad();
        var res4 = network.Backbone.forward(Golden.Load("Modeling", "r18w4_probe_input.npy"));
        Golden.AssertClose(Golden.Load("Modeling", "r18w4_probe_res4.npy"), res4);
    }

    [Fact]
    public void SafetensorsRoundTripKeepsTensorsAndConvention()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "w.safetensors");
        using var original = NetworkWeights.Load(Fixture("cfcd_r50w4.pyth"));
        original.Save(path);
        using var back = NetworkWeights.Load(path);
        Assert.Equal(WeightsSource.Cfcd, back.Source);
        Assert.Equal(original.Convention, back.Convention);
        Assert.Equal(original.CompleteSpec("x"), back.CompleteSpec("x"));
        Golden.AssertSameTensors(original.Tensors, back.Tensors);
    }

    [Fact]
    public void ShapeMismatchNamesTheTensor()
    {
        using var weights = NetworkWeights.Load(Fixture("cfcd_r50w4.pyth"));
        using var wider = new CfcdNet(new NetworkSpec(new ResNetLayout(50, 8), 24, 10));
        var error = Assert.Throws<InputException>(() => weights.LoadInto(wider, "w.pyth"));
        Assert.StartsWith("w.pyth: backbone.", error.Message);
        Assert.Contains("has shape [4, 3, 7, 7], the network expects [8, 3, 7, 7]", error.Message);
    }

    [Fact]
    public void NetworkWeightsAreTakenFromATrainedNetwork()
    {
        using var network = new CfcdNet(new NetworkSpec(new ResNetLayout(18, 4), 8, 3));
        using var weights = NetworkWeights.FromNetwork(network, InputConvention.FromConfig(new ModelConfig { ChannelOrder = ChannelOrder.Rgb, Mean = [0.5, 0.5, 0.5], Std = [0.25, 0.25, 0.25] }));
        Assert.Equal(network.Spec, weights.CompleteSpec("x"));
        Assert.Equal(ChannelOrder.Rgb, weights.Convention.ChannelOrder);
    }
}
