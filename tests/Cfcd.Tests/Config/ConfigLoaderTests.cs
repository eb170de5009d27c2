using Cfcd.Config;

namespace Cfcd.Tests.Config;

public class ConfigLoaderTests
{
    public static TheoryData<string> ConfigFiles()
    {
        var files = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(TestPaths.Configs, "*.yaml").Order())
            files.Add(Path.GetFileName(path));
        return files;
    }

    [Theory]
    [MemberData(nameof(ConfigFiles))]
    public void EveryShippedConfigLoadsAndRoundTrips(string fileName)
    {
        var config = ConfigLoader.Load(Path.Combine(TestPaths.Configs, fileName));
        string resolved = ConfigWriter.ToYaml(config);
        Assert.Equal(resolved, ConfigWriter.ToYaml(ConfigLoader.Parse(resolved, "resolved.yaml")));
    }

    [Fact]
    public void TheExpectedConfigsShip()
    {
        var names = Directory.GetFiles(TestPaths.Configs, "*.yaml").Select(Path.GetFileName).ToHashSet();
        Assert.Superset(new HashSet<string?> { "r50_stage1.yaml", "r50_stage2.yaml", "r101_stage1.yaml",
            "r101_stage2.yaml", "smoke.yaml", "smoke_stage2.yaml" }, names);
    }

    [Fact]
    public void PaperConfigsHoldTheRecipe()
    {
        var stage1 = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "r101_stage1.yaml"));
        Assert.Equal(101, stage1.Model.Depth);
        Assert.Equal(512, stage1.Model.DescriptorDim);
        Assert.Equal(ChannelOrder.Bgr, stage1.Model.ChannelOrder);
        Assert.Equal(0.005, stage1.Optim.BaseLr);
        Assert.Equal(5, stage1.Optim.WarmupEpochs);
        Assert.Equal(128, stage1.Train.BatchSize);
        Assert.Equal(0.02, stage1.Loss.Alpha);

        var stage2 = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "r50_stage2.yaml"));
        Assert.Equal(2, stage2.Train.Stage);
        Assert.Equal(SamplerKind.HardNegative, stage2.Sampler.Kind);
        Assert.Equal(0, stage2.Optim.WarmupEpochs);
        Assert.Equal(1.0, stage2.Loss.LocalWeight);
        Assert.Equal("runs/r50_stage1/checkpoints/last.ckpt", stage2.Train.InitFrom);
    }

    [Fact]
    public void AnEmptyFileGivesTheDefaults()
    {
        Assert.Equal(ConfigWriter.ToYaml(new CfcdConfig()), ConfigWriter.ToYaml(ConfigLoader.Parse("", "empty.yaml")));
    }

    [Fact]
    public void OverridesApplyAfterTheFileAndReadValuesAsYaml()
    {
        var config = ConfigLoader.Parse("optim:\n  base_lr: 0.005\n", "x.yaml",
            ["optim.base_lr=0.01", "model.mean=[0.5, 0.5, 0.5]", "sampler.kind=class_balanced", "train.init_from=",
                "loss.head=ArcFace"]);
        Assert.Equal(0.01, config.Optim.BaseLr);
        Assert.Equal([0.5, 0.5, 0.5], config.Model.Mean);
        Assert.Equal(SamplerKind.ClassBalanced, config.Sampler.Kind);
        Assert.Null(config.Train.InitFrom);
        Assert.Equal(HeadKind.Arcface, config.Loss.Head);
    }

    [Theory]
    [InlineData("model:\n  depth: 50\n  dept: 3\n", "x.yaml:3:3: unknown key 'model.dept'")]
    [InlineData("modle:\n  depth: 50\n", "x.yaml:1:1: unknown key 'modle'")]
    [InlineData("optim:\n  base_lr: fast\n", "x.yaml:2:12: key 'optim.base_lr' expects a finite number, got 'fast'")]
    [InlineData("train:\n  epochs: 2.5\n", "x.yaml:2:11: key 'train.epochs' expects an integer, got '2.5'")]
    [InlineData("train:\n  epochs: \"3\"\n",
        "x.yaml:2:11: key 'train.epochs' expects an integer, got the string \"3\"")]
    [InlineData("optim:\n  nesterov: yes please\n",
        "x.yaml:2:13: key 'optim.nesterov' expects true or false, got 'yes please'")]
    [InlineData("train:\n  device: tpu\n", "x.yaml:2:11: key 'train.device' expects one of cpu, cuda, got 'tpu'")]
    [InlineData("model:\n  mean: 0.5\n", "x.yaml:2:9: key 'model.mean' expects a list of a finite number, got '0.5'")]
    [InlineData("model: 50\n", "x.yaml:1:8: key 'model' expects a section (a mapping of keys), got '50'")]
    [InlineData("model:\n  depth:\n", "x.yaml:2:9: key 'model.depth' expects a value (an integer), got null")]
    [InlineData("- 1\n- 2\n", "x.yaml:1:1: the top level of a config must be a mapping")]
    [InlineData("model:\n  depth: [50\n", "x.yaml:")]
    [InlineData("model:\n  depth: 42\n", "x.yaml:2:10: key 'model.depth' must be one of 18, 34, 50, 101, 152, got 42")]
    [InlineData("train:\n  batch_size: 100\n  micro_batch: 30\n",
        "x.yaml:3:16: key 'train.micro_batch' must be 0 or divide")]
    [InlineData("train:\n  stage: 2\n  batch_size: 20\n  ghost_bn: 0\n",
        "x.yaml:3:15: key 'train.batch_size' stage 2 needs whole tuples")]
    [InlineData("loss:\n  alpha: 1.5\n", "x.yaml:2:10: key 'loss.alpha' must be in (0, 1), got 1.5")]
    [InlineData("train:\n  stage: 2\n  batch_size: 16\n  ghost_bn: 0\n  init_from: s1.ckpt\n",
        "x.yaml: key 'sampler.kind' stage 2 trains on tuples: use hard_negative, got random")]
    [InlineData("train:\n  stage: 2\n  batch_size: 16\n  ghost_bn: 0\nsampler:\n  kind: hard_negative\n",
        "x.yaml: key 'train.init_from' stage 2 starts from a stage-1 checkpoint")]
    [InlineData("train:\n  stage: 2\n  batch_size: 16\n  micro_batch: 4\n  ghost_bn: 0\n  init_from: " +
                "s1.ckpt\nsampler:\n  kind: hard_negative\n",
        "x.yaml:4:16: key 'train.micro_batch' stage 2 needs whole tuples in each micro-batch")]
    [InlineData("train:\n  stage: 2\n  batch_size: 16\n  ghost_bn: 0\n  init_from: s1.ckpt\nsampler:\n  kind: " +
                "hard_negative\nloss:\n  local_group: 5\n",
        "x.yaml:9:16: key 'loss.local_group' must be 0 or divide train.batch_size (16), got 5")]
    [InlineData("loss:\n  madacos_statistics: all\n",
        "x.yaml:2:23: key 'loss.madacos_statistics' expects one of batch, micro_batch, got 'all'")]
    [InlineData("train:\n  checkpoint_every: -1\n",
        "x.yaml:2:21: key 'train.checkpoint_every' must be 0 or more, got -1")]
    [InlineData("data:\n  max_image_pixels: 0\n",
        "x.yaml:2:21: key 'data.max_image_pixels' must be in [1, 175000000], got 0")]
    public void BadInputNamesTheFileLineAndKey(string yaml, string expectedStart)
    {
        var error = Assert.Throws<InputException>(() => ConfigLoader.Parse(yaml, "x.yaml"));
        Assert.StartsWith(expectedStart, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void InvalidYamlSaysSo()
    {
        var error = Assert.Throws<InputException>(() => ConfigLoader.Parse("model:\n  depth: [50\n", "x.yaml"));
        Assert.Contains("invalid YAML", error.Message);
    }

    [Fact]
    public void DuplicateKeysAreAnError()
    {
        var error =
            Assert.Throws<InputException>(() => ConfigLoader.Parse("train:\n  epochs: 1\n  epochs: 2\n", "x.yaml"));
        Assert.StartsWith("x.yaml:", error.Message);
    }

    [Fact]
    public void ValidationOfADefaultNamesTheFile()
    {
        var error = Assert.Throws<InputException>(() =>
            ConfigLoader.Parse("sampler:\n  tuple_size: 7\ntrain:\n  stage: 2\n  ghost_bn: 0\n", "x.yaml"));
        Assert.StartsWith("x.yaml: key 'train.batch_size' stage 2 needs whole tuples", error.Message);
    }

    [Theory]
    [InlineData("model.dept=3", "--set model.dept=3: unknown key 'model.dept'")]
    [InlineData("optim.base_lr=abc", "--set optim.base_lr=abc: key 'optim.base_lr' expects a finite number, got 'abc'")]
    [InlineData("optim.base_lr", "--set optim.base_lr: expected section.key=value")]
    [InlineData("optim..lr=1", "--set optim..lr=1: 'optim..lr' is not a dotted key")]
    [InlineData("model.depth.x=1", "--set model.depth.x=1: 'model.depth' is a value, not a section")]
    public void BadOverridesNameTheOverride(string assignment, string expectedStart)
    {
        var error =
            Assert.Throws<InputException>(() => ConfigLoader.Parse("model:\n  depth: 50\n", "x.yaml", [assignment]));
        Assert.StartsWith(expectedStart, error.Message);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var error = Assert.Throws<InputException>(() => ConfigLoader.Load("/nonexistent/run.yaml"));
        Assert.StartsWith("/nonexistent/run.yaml: cannot open (No such file or directory)", error.Message);
    }

    [Fact]
    public void WriterKeepsUnusualValuesExact()
    {
        var config = new CfcdConfig
        {
            Optim = new OptimConfig { BaseLr = 0.1 + 0.2, WeightDecay = 1e-4 },
            Data = new DataConfig { Root = "data/with \"quotes\" and: colon", ValList = null },
        };
        var back = ConfigLoader.Parse(ConfigWriter.ToYaml(config), "w.yaml");
        Assert.Equal(0.1 + 0.2, back.Optim.BaseLr);
        Assert.Equal(config.Data.Root, back.Data.Root);
        Assert.Null(back.Data.ValList);
    }
}
