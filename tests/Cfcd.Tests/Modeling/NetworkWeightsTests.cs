using Cfcd.Config;
using Cfcd.IO;
using Cfcd.Tests.IO;
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
        Assert.Equal(new NetworkSpec(new ResNetLayout(50, 4), 24, 10), weights.CompleteSpec());
        Assert.Equal(InputConvention.Pycls, weights.Convention);
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_classifier.npy"), weights.Tensors["classifier.weight"],
            0);
        using var network = new CfcdNet(weights.CompleteSpec());
        weights.LoadInto(network);
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
        var error = Assert.Throws<InputException>(() => torchvision.CompleteSpec());
        Assert.StartsWith($"{Fixture("torchvision_r18w4.pth")}: backbone-only Torchvision weights have no CFCD head",
            error.Message);
    }

    [Theory]
    [InlineData("pycls_r18w4.pyth")]
    [InlineData("pycls_r18w4_legacy.pyth")]
    [InlineData("torchvision_r18w4.pth")]
    public void BackboneMatchesPyTorch(string name)
    {
        using var weights = NetworkWeights.Load(Fixture(name));
        using var network = new CfcdNet(new NetworkSpec(weights.Layout, 8));
        weights.LoadInto(network, backboneOnly: true);
        network.eval();
        using var noGrad = no_grad();
        var res4 = network.Backbone.forward(Golden.Load("Modeling", "r18w4_probe_input.npy"));
        Golden.AssertClose(Golden.Load("Modeling", "r18w4_probe_res4.npy"), res4);
    }

    [Theory]
    [InlineData("pycls_r18w4.pyth", "PyTorch zip file, pycls ImageNet weights, ResNet-18 (width 4), backbone only, " +
        "input BGR, mean [0.406, 0.456, 0.485], std [0.225, 0.224, 0.229]; skipped epoch, optimizer_state, cfg, " +
        "2 unused tensors (head.fc.weight, head.fc.bias)")]
    [InlineData("pycls_r18w4_legacy.pyth", "PyTorch legacy file, pycls ImageNet weights, ResNet-18 (width 4), " +
        "backbone only, input BGR, mean [0.406, 0.456, 0.485], std [0.225, 0.224, 0.229]; skipped epoch, " +
        "optimizer_state, cfg, 2 unused tensors (head.fc.weight, head.fc.bias)")]
    [InlineData("torchvision_r18w4.pth", "PyTorch zip file, torchvision weights, ResNet-18 (width 4), backbone only, " +
        "input RGB, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]; skipped 2 unused tensors (fc.weight, " +
        "fc.bias)")]
    public void WhatAFileHoldsIsDescribedInOneLine(string name, string description)
    {
        using var weights = NetworkWeights.Load(Fixture(name));
        Assert.Equal($"{Fixture(name)}: {description}", weights.Describe());
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
        Assert.Equal(original.CompleteSpec(), back.CompleteSpec());
        Golden.AssertSameTensors(original.Tensors, back.Tensors);
    }

    [Fact]
    public void ShapeMismatchNamesTheTensor()
    {
        using var weights = NetworkWeights.Load(Fixture("cfcd_r50w4.pyth"));
        using var wider = new CfcdNet(new NetworkSpec(new ResNetLayout(50, 8), 24, 10));
        var error = Assert.Throws<InputException>(() => weights.LoadInto(wider));
        Assert.StartsWith($"{Fixture("cfcd_r50w4.pyth")}: backbone.", error.Message);
        Assert.Contains("has shape [4, 3, 7, 7], the network expects [8, 3, 7, 7]", error.Message);
    }

    [Fact]
    public void NetworkWeightsAreTakenFromATrainedNetwork()
    {
        using var network = new CfcdNet(new NetworkSpec(new ResNetLayout(18, 4), 8, 3));
        using var weights = NetworkWeights.FromNetwork(network,
            InputConvention.FromConfig(new ModelConfig { ChannelOrder = ChannelOrder.Rgb, Mean = [0.5, 0.5, 0.5],
            Std = [0.25, 0.25, 0.25] }));
        Assert.Equal(network.Spec, weights.CompleteSpec());
        Assert.Equal(ChannelOrder.Rgb, weights.Convention.ChannelOrder);
    }

    [Theory]
    [InlineData("gem_p", "abc", "metadata gem_p 'abc' is not a finite positive number")]
    [InlineData("gem_p", "0", "metadata gem_p '0' is not a finite positive number")]
    [InlineData("gem_p", "-1", "metadata gem_p '-1' is not a finite positive number")]
    [InlineData("gem_p", "nan", "metadata gem_p 'nan' is not a finite positive number")]
    [InlineData("gem_p", "Infinity", "metadata gem_p 'Infinity' is not a finite positive number")]
    [InlineData("gem_p", "3,3", "metadata gem_p '3,3' is not a finite positive number")]
    [InlineData("depth", "x", "metadata depth 'x' is not a positive integer")]
    [InlineData("depth", "0", "metadata depth '0' is not a positive integer")]
    [InlineData("depth", "77", "metadata depth 77 is not one of 18, 34, 50, 101, 152")]
    [InlineData("depth", "101", "metadata says depth 101, the tensors have 50")]
    [InlineData("width", "8", "metadata says width 8, the tensors have 4")]
    [InlineData("descriptor_dim", "-24", "metadata descriptor_dim '-24' is not a positive integer")]
    [InlineData("std", "0,0.224,0.229", "metadata std '0' is not a finite positive number")]
    [InlineData("std", "1e40,1,1", "metadata std '1e40' is not a finite positive number")]
    [InlineData("mean", "nan,0.5,0.5", "metadata mean 'nan' is not a finite number")]
    [InlineData("mean", "0.5,0.5", "metadata mean '0.5,0.5' needs three numbers")]
    [InlineData("channel_order", "\u001b[31mbgr", "channel_order \\x1b[31mbgr is neither bgr nor rgb")]
    public void MetadataThatIsNotAUsableNumberIsRefused(string key, string value, string problem)
    {
        string path = EditedSafeTensors((_, metadata) => metadata[key] = value);
        Refusal.Of(path, () => NetworkWeights.Load(path), problem);
    }

    [Theory]
    [InlineData("classifier.weight", new long[0], "classifier.weight has shape []; it needs [classes, descriptor")]
    [InlineData("head.fc.weight", new long[] { 0, 128 }, "head.fc.weight has shape [0, 128]; it needs [descriptor")]
    [InlineData("head.gem.p", new long[] { 2 }, "head.gem.p has shape [2], a ResNet-50 (width 4) with a 24-d head")]
    [InlineData("head.bn.weight", new long[] { 25 }, "head.bn.weight has shape [25], a ResNet-50 (width 4)")]
    public void TensorsOfTheWrongShapeAreRefused(string name, long[] shape, string problem)
    {
        string path = EditedSafeTensors((tensors, _) => tensors[name] = full(shape, 3f));
        Refusal.Of(path, () => NetworkWeights.Load(path), problem);
    }

    [Fact]
    public void ALearnedGemPThatIsNotPositiveIsRefused()
    {
        string path = EditedSafeTensors((tensors, _) => tensors["head.gem.p"] = tensor(new[] { float.NaN }));
        Refusal.Of(path, () => NetworkWeights.Load(path), "head.gem.p is NaN; GeM needs a finite positive p");
    }

    [Fact]
    public void AStateDictKeyThatIsNotANameIsRefused()
    {
        var pickle = TorchSaveFiles.StateDict([(7L, StoredTensor.Contiguous("0", 1))], wrapper: "model_state");
        string path = TorchSaveFiles.Zip(TestPaths.NewTempFolder(), pickle);
        Refusal.Of(path, () => NetworkWeights.Load(path), "the state dict has a key 7 that is not a name");
    }

    [Fact]
    public void AHugeKeyIsQuotedEscapedAndCut()
    {
        string key = "globalmodel.\n" + new string('k', 1_000_000);
        var pickle = TorchSaveFiles.StateDict(
            [("globalmodel.stem.conv.weight", StoredTensor.Contiguous("0", 4, 3, 7, 7)),
             (key, StoredTensor.Contiguous("1", 1))]);
        string path = TorchSaveFiles.Zip(TestPaths.NewTempFolder(), pickle);
        var error = Refusal.Of(path, () => NetworkWeights.Load(path), "unknown key \\x0akkk");
        Assert.Contains("... (1000001 characters) in pycls weights", error.Message);
        Assert.True(error.Message.Length < path.Length + 200, error.Message);
    }

    [Fact]
    public void ShapesAreCheckedBeforeAnyStorageIsRead()
    {
        // A complete torchvision ResNet-18 whose storages are all absent: one tensor claims 400 million elements.
        var shapes = NetworkShapes.Of(new WeightsShape(new ResNetLayout(18, 4), null, 0, false));
        var entries = shapes.Select((pair, index) => ((object)pair.Key["backbone.".Length..],
            StoredTensor.Contiguous($"{index}", pair.Value))).ToList();
        int hostile = entries.FindIndex(entry => (string)entry.Item1 == "layer1.0.bn1.running_var");
        entries[hostile] = (entries[hostile].Item1, StoredTensor.Contiguous("huge", 20000, 20000));
        string path = TorchSaveFiles.Zip(TestPaths.NewTempFolder(), TorchSaveFiles.StateDict(entries));
        Refusal.Of(path, () => NetworkWeights.Load(path),
            "backbone.layer1.0.bn1.running_var has shape [20000, 20000], a ResNet-18 (width 4) needs [4]");
    }

    /// <summary>The fixture model as cfcd safetensors, with its tensors and metadata edited.</summary>
    private static string EditedSafeTensors(Action<Dictionary<string, Tensor>, Dictionary<string, string>> edit)
    {
        string folder = TestPaths.NewTempFolder();
        string original = Path.Combine(folder, "original.safetensors");
        string edited = Path.Combine(folder, "edited.safetensors");
        using (var weights = NetworkWeights.Load(Fixture("cfcd_r50w4.pyth")))
            weights.Save(original);
        var file = SafeTensors.Read(original);
        var tensors = new Dictionary<string, Tensor>(file.Tensors);
        var metadata = new Dictionary<string, string>(file.Metadata);
        edit(tensors, metadata);
        SafeTensors.Write(edited, tensors, metadata);
        return edited;
    }
}
