using Cfcd.Cli;
using Cfcd.Native;

namespace Cfcd.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void ForwardPrintsImagesPerSecondPerSize()
    {
        var result =
            CliRunner.Run("bench", "forward", "--depth", "18", "--width", "4", "--dim", "8", "--sizes", "32,64",
            "--batch", "2", "--warmup", "0", "--iterations", "1", "--device", "cpu");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.StartsWith("cfcd forward: ResNet-18 width 4", result.Out);
        Assert.Matches(@"32x32: +[\d.]+ img/s", result.Out);
        Assert.Matches(@"64x64: +[\d.]+ img/s .*peak RSS [\d,]+ MiB", result.Out);
    }

    [Fact]
    public void TrainPrintsStageOneStepImagesPerSecond()
    {
        var result = CliRunner.Run("bench", "train", "--depth", "18", "--width", "4", "--dim", "8", "--classes", "10",
            "--sizes", "32",
            "--batch", "4", "--warmup", "1", "--iterations", "2", "--device", "cpu");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.StartsWith("cfcd train: ResNet-18 width 4 + GeM/FC/BN + MadaCos + SGD, 10 classes, batch 4", result.Out);
        Assert.Matches(@"32x32: +[\d.]+ img/s .*over 2, peak RSS", result.Out);
        Assert.Equal(ExitCodes.BadInput, CliRunner.Run("bench", "train", "--classes", "1").ExitCode);
    }

    [Fact]
    public void BadDepthsAndSizesAreInputErrors()
    {
        Assert.Equal(ExitCodes.BadInput, CliRunner.Run("bench", "forward", "--depth", "42").ExitCode);
        var sizes = CliRunner.Run("bench", "forward", "--sizes", "224,x");
        Assert.Equal("cfcd forward: --sizes: 'x' is not a size of at least 32", sizes.Error.TrimEnd());
    }

    [Fact]
    public void MallocTuningAppliesOnGlibc()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
            Assert.True(MallocTuning.Apply());
    }
}
