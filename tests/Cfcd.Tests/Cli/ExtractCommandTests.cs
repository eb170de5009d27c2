using Cfcd.Cli;
using Cfcd.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Cli;

public class ExtractCommandTests
{
    private static string Fixture(string name) => TestPaths.Fixture("Modeling", name);

    private static Tensor ReadRows(string path)
    {
        var (values, rows, columns) = Npy.ReadMatrix(path);
        return tensor(values, [rows, columns]);
    }

    [Fact]
    public void ExtractFromAnOfficialCheckpointMatchesPyTorch()
    {
        string output = Path.Combine(TestPaths.NewTempFolder(), "single.npy");
        var result = CliRunner.Run("extract", "--weights", Fixture("cfcd_r50w4.pyth"), "--images", Fixture("images.txt"),
            "--out", output, "--scales", "1", "--device", "cpu");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_single.npy"), ReadRows(output));
        Assert.Contains("CfcdCheckpoint weights (BGR", result.Error);
    }

    [Fact]
    public void ImportedWeightsGiveTheSameMultiScaleDescriptors()
    {
        string folder = TestPaths.NewTempFolder();
        string imported = Path.Combine(folder, "w.safetensors");
        var import = CliRunner.Run("import-weights", "--from", Fixture("cfcd_r50w4_legacy.pyth"), "--out", imported);
        Assert.True(import.ExitCode == ExitCodes.Success, import.Error);
        Assert.Contains("ResNet-50 (width 4), 24-d head, 10-class classifier, BGR", import.Out);

        string output = Path.Combine(folder, "multi.npy");
        var result = CliRunner.Run("extract", "--weights", imported, "--images", Fixture("images.txt"), "--out", output);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_multi.npy"), ReadRows(output));
    }

    [Fact]
    public void UnreadableImagesGetZeroRowsAndAreCounted()
    {
        string folder = TestPaths.NewTempFolder();
        File.Copy(Fixture("image0.png"), Path.Combine(folder, "a.png"));
        File.WriteAllBytes(Path.Combine(folder, "b.png"), File.ReadAllBytes(Fixture("image1.png"))[..200]);
        File.WriteAllText(Path.Combine(folder, "c.jpg"), "not an image");
        string output = Path.Combine(folder, "out.npy");
        var result = CliRunner.Run("extract", "--weights", Fixture("cfcd_r50w4.pyth"), "--images", folder, "--out", output, "--scales", "1");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("2 unreadable images have zero rows", result.Error);
        Assert.Contains("b.png: the image is damaged or truncated", result.Error);
        var rows = ReadRows(output);
        Assert.Equal([3L, 24L], rows.shape);
        Assert.Equal(1.0, rows[0].norm().ToDouble(), 5);
        Assert.Equal(0.0, rows[1].norm().ToDouble());
        Assert.Equal(0.0, rows[2].norm().ToDouble());
    }

    [Theory]
    [InlineData("views.pt", "no ResNet weights recognised")]
    [InlineData("torchvision_r18w4.pth", "backbone-only Torchvision weights have no CFCD head")]
    [InlineData("images.txt", "not a PyTorch checkpoint")]
    public void WeightsThatCannotExtractAreRefusedInOneLine(string weights, string problem)
    {
        string output = Path.Combine(TestPaths.NewTempFolder(), "o.npy");
        var result = CliRunner.Run("extract", "--weights", Fixture(weights), "--images", Fixture("images.txt"), "--out", output);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"cfcd extract: {Fixture(weights)}: ", result.Error);
        Assert.Contains(problem, result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void BadScalesAndDevicesAreInputErrors()
    {
        var scales = CliRunner.Run("extract", "--weights", Fixture("cfcd_r50w4.pyth"), "--images", Fixture("images.txt"), "--out", "o.npy", "--scales", "1,-2");
        Assert.Equal(ExitCodes.BadInput, scales.ExitCode);
        Assert.Equal("cfcd extract: --scales: '-2' is not a positive number", scales.Error.TrimEnd());
    }
}
