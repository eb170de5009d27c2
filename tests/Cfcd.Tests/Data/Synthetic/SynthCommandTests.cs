using Cfcd.Cli;
using Cfcd.Tests.Cli;

namespace Cfcd.Tests.Data.Synthetic;

public class SynthCommandTests
{
    [Fact]
    public void WritesTheDataSetAndSummarisesIt()
    {
        string folder = TestPaths.NewTempFolder();
        var result =
            CliRunner.Run("synth", "--out", folder, "--classes", "3", "--train-per-class", "2", "--val-per-class", "1",
            "--queries", "2", "--db", "6", "--size", "48", "--seed", "3");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith($"synth: wrote {folder} in ", result.Out);
        Assert.Matches(@"train_list.txt\s+6 views of 3 classes", result.Out);
        Assert.Matches(@"synth/gnd_synth.pkl\s+2 queries of 1 test scenes; 6 database images: \d+ easy, \d+ hard, " +
                       @"\d+ junk, 3 distractors", result.Out);
        Assert.Contains("synth: 100% (17 / 17)", result.Error);
        Assert.Equal(6, File.ReadAllLines(Path.Combine(folder, "train_list.txt")).Length);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(folder, "val_list.txt")).Length);
        Assert.True(File.Exists(Path.Combine(folder, "synth", "gnd_synth.pkl")));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("--classes 1", "cfcd synth: --classes: must be at least 2, got 1")]
    [InlineData("--size 16", "cfcd synth: --size: must be at least 32, got 16")]
    [InlineData("--queries 0", "cfcd synth: --queries: must be at least 1, got 0")]
    [InlineData("--queries 20 --db 10", "cfcd synth: --db: must be at least --queries (20), got 10")]
    [InlineData("--train-per-class 1", "cfcd synth: --train-per-class: must be at least 2, got 1")]
    public void BadOptionsAreOneLineAndExitCode2(string options, string expected)
    {
        string folder = TestPaths.NewTempFolder();
        var result = CliRunner.Run(["synth", "--out", folder, .. options.Split(' ')]);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal(expected, result.Error.TrimEnd());
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void ANonNumberIsAUsageError()
    {
        var result = CliRunner.Run("synth", "--out", TestPaths.NewTempFolder(), "--classes", "many");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
    }
}
