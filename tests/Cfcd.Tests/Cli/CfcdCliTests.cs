using Cfcd.Cli;
using Cfcd.Config;

namespace Cfcd.Tests.Cli;

public class CfcdCliTests
{
    private static readonly string[] Verbs =
        ["train", "score", "extract", "eval", "synth", "demo", "import-weights", "info"];

    [Fact]
    public void HelpListsEveryVerb()
    {
        var result = CliRunner.Run("--help");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        foreach (string verb in Verbs)
            Assert.Matches($@"(?m)^\s+{verb}\b", result.Out);
    }

    [Fact]
    public void EveryVerbHasHelp()
    {
        foreach (string verb in Verbs)
        {
            var result = CliRunner.Run(verb, "--help");
            Assert.Equal(ExitCodes.Success, result.ExitCode);
            Assert.Contains($"cfcd {verb}", result.Out);
        }
    }

    [Fact]
    public void InfoPrintsVersionsAndATensorResult()
    {
        var result = CliRunner.Run("info");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Matches(@"(?m)^libtorch\s+2\.10", result.Out);
        Assert.Matches(@"(?m)^TorchSharp\s+0\.107\.0", result.Out);
        Assert.Matches(@"(?m)^cfcd\s+\d+\.\d+\.\d+", result.Out);
        Assert.Matches(@"(?m)^threads\s+\d+ torch threads", result.Out);
        Assert.Matches(@"(?m)^cuda\s+", result.Out);
        Assert.Contains("= [[6, 6], [6, 6]]", result.Out);
        Assert.Matches(@"(?m)^jpeg\s+(libjpeg-turbo|SkiaSharp)", result.Out);
        Assert.Matches(@"(?m)^cpu\s+\S", result.Out);
        Assert.Matches(@"(?m)^kernels\s+(onednn|onednn-avx|aten) \(", result.Out);
    }

    [Theory]
    [InlineData("model:\n  dept: 50\n", ":2:3: unknown key 'model.dept'")]
    [InlineData("train:\n  epochs: many\n", ":2:11: key 'train.epochs' expects an integer, got 'many'")]
    [InlineData("train: [1,\n", ":2:1: invalid YAML")]
    public void BadConfigIsOneLineAndExitCode2(string yaml, string expectedAfterPath)
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "cfg.yaml");
        File.WriteAllText(path, yaml);
        var result = CliRunner.Run("train", "--config", path);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"cfcd train: {path}{expectedAfterPath}", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void MissingConfigFileIsExitCode2()
    {
        var result = CliRunner.Run("train", "--config", "/nonexistent/x.yaml");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith("cfcd train: /nonexistent/x.yaml: cannot open (No such file or directory)", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void BadOverrideIsExitCode2()
    {
        var result = CliRunner.Run("train", "--config", Path.Combine(TestPaths.Configs, "smoke.yaml"), "--set",
            "train.epochs=x");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("cfcd train: --set train.epochs=x: key 'train.epochs' expects an integer, got 'x'",
            result.Error.TrimEnd());
    }

    [Fact]
    public void DryRunPrintsTheResolvedConfig()
    {
        var result = CliRunner.Run("train", "--config", Path.Combine(TestPaths.Configs, "smoke.yaml"), "--set",
            "train.epochs=7", "--dry-run");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var resolved = ConfigLoader.Parse(result.Out, "stdout");
        Assert.Equal(7, resolved.Train.Epochs);
        Assert.Equal(18, resolved.Model.Depth);
    }

    [Fact]
    public void UsageErrorsAreExitCode2()
    {
        Assert.Equal(ExitCodes.BadInput, CliRunner.Run("bogus").ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRunner.Run("train").ExitCode);
        var result = CliRunner.Run("eval", "nowhere", "--query", "q.npy", "--db", "d.npy", "--gnd", "g.pkl");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith("cfcd eval: Argument 'nowhere' not recognized. Must be one of: 'roxford5k'", result.Error);
        Assert.Equal(ExitCodes.BadInput,
            CliRunner.Run("eval", "roxford", "--query", "q.npy", "--gnd", "g.pkl").ExitCode);
        Assert.Equal(ExitCodes.BadInput,
            CliRunner.Run("eval", "roxford", "--query", "q.npy", "--db", "d.npy").ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRunner.Run("extract", "--weights", "w", "--out", "o").ExitCode);
    }

    [Fact]
    public void CentresAskedForWithoutTheCentreMemoryAreABadConfig()
    {
        string config = Path.Combine(TestPaths.Configs, "smoke.yaml");
        var result = CliRunner.Run("train", "--config", config, "--set", "loss.hep.enabled=true", "--set",
            "loss.hep.hard_classes=centers", "--dry-run");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("'loss.hep.hard_classes' is centers, which needs the class centres: set loss.centers.enabled",
            result.Error);
        result = CliRunner.Run("train", "--config", config, "--set", "sampler.hard_negatives=centers", "--dry-run");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("'sampler.hard_negatives' is centers, which needs the class centres", result.Error);
    }
}
