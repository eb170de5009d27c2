using Cfcd.Modeling;

namespace Cfcd.Tests.Modeling;

public class CheckpointNamesTests
{
    [Theory]
    [InlineData("globalmodel.stem.conv.weight", "backbone.conv1.weight")]
    [InlineData("globalmodel.stem.bn.running_var", "backbone.bn1.running_var")]
    [InlineData("globalmodel.s1.b1.proj.weight", "backbone.layer1.0.downsample.0.weight")]
    [InlineData("globalmodel.s3.b1.bn.bias", "backbone.layer3.0.downsample.1.bias")]
    [InlineData("globalmodel.s3.b23.f.c_bn.num_batches_tracked", "backbone.layer3.22.bn3.num_batches_tracked")]
    [InlineData("globalmodel.s2.b4.f.a.weight", "backbone.layer2.3.conv1.weight")]
    [InlineData("globalmodel.s4.b2.f.b_bn.weight", "backbone.layer4.1.bn2.weight")]
    [InlineData("fc.weight", "head.fc.weight")]
    [InlineData("bn.running_mean", "head.bn.running_mean")]
    [InlineData("desc_cls.weight", "classifier.weight")]
    public void CfcdCheckpointNames(string key, string expected) =>
        Assert.Equal(expected, CheckpointNames.Map(key, WeightsSource.CfcdCheckpoint));

    [Fact]
    public void ImageNetClassifiersAreDropped()
    {
        Assert.Null(CheckpointNames.Map("head.fc.weight", WeightsSource.PyclsImageNet));
        Assert.Null(CheckpointNames.Map("fc.bias", WeightsSource.Torchvision));
        Assert.Equal("backbone.layer1.0.conv1.weight",
            CheckpointNames.Map("s1.b1.f.a.weight", WeightsSource.PyclsImageNet));
        Assert.Equal("backbone.layer1.0.conv1.weight",
            CheckpointNames.Map("layer1.0.conv1.weight", WeightsSource.Torchvision));
    }

    [Theory]
    [InlineData("globalmodel.s5.b1.f.a.weight")]
    [InlineData("globalmodel.s1.b0.f.a.weight")]
    [InlineData("attention.weight")]
    public void UnknownKeysAreErrors(string key) =>
        Assert.Throws<InvalidDataException>(() => CheckpointNames.Map(key, WeightsSource.CfcdCheckpoint));

    [Fact]
    public void SourcesAreDetectedFromTheirNames()
    {
        Assert.Equal(WeightsSource.CfcdCheckpoint,
            CheckpointNames.Detect(["fc.weight", "globalmodel.stem.conv.weight"]));
        Assert.Equal(WeightsSource.PyclsImageNet, CheckpointNames.Detect(["stem.conv.weight", "head.fc.weight"]));
        Assert.Equal(WeightsSource.Torchvision, CheckpointNames.Detect(["conv1.weight", "fc.weight"]));
        Assert.Equal(WeightsSource.Cfcd, CheckpointNames.Detect(["backbone.conv1.weight"]));
        Assert.Throws<InvalidDataException>(() => CheckpointNames.Detect(["encoder.weight"]));
    }
}
