using System.Text;
using Cfcd.Config;

namespace Cfcd.Tests.Config;

/// <summary>Configs copied from others: each hostile form is refused before it costs memory or stack.</summary>
public class HostileConfigTests
{
    /// <summary>Nine levels of nine aliases each: 9^9 (387 million) scalars once expanded, from about 1 KB.</summary>
    internal static string BillionLaughs(string underKey)
    {
        var yaml = new StringBuilder($"{underKey}:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level < 9; level++)
            yaml.Append($"  l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 9))}]\n");
        return yaml.ToString();
    }

    [Theory]
    [InlineData("model")]
    [InlineData("not_a_section")]
    public void AliasExpansionIsRefusedBeforeTheTreeIsBuilt(string underKey)
    {
        var error = Assert.Throws<InputException>(() => ConfigLoader.Parse(BillionLaughs(underKey), "laughs.yaml"));
        Assert.StartsWith("laughs.yaml:2:", error.Message);
        Assert.Contains("anchors (&name) are not supported", error.Message);
    }

    [Fact]
    public void ASelfReferenceIsRefused()
    {
        var error = Assert.Throws<InputException>(() => ConfigLoader.Parse("a: &a [*a]\n", "cycle.yaml"));
        Assert.StartsWith("cycle.yaml:1:4: YAML anchors", error.Message);
    }

    [Theory]
    [InlineData(100_000, "[", "]")]
    [InlineData(100_000, "{a: ", "}")]
    [InlineData(33, "[", "]")]
    public void DeepNestingIsRefused(int depth, string open, string close)
    {
        string yaml = "x: " + string.Concat(Enumerable.Repeat(open, depth)) +
            string.Concat(Enumerable.Repeat(close, depth));
        var error = Assert.Throws<InputException>(() => ConfigLoader.Parse(yaml, "deep.yaml"));
        Assert.Contains($"nested deeper than {ConfigTree.MaxDepth} levels", error.Message);
    }

    [Fact]
    public void NestingWithinTheLimitStillReachesTheBinder()
    {
        string yaml = "x: " + new string('[', ConfigTree.MaxDepth - 1) + new string(']', ConfigTree.MaxDepth - 1);
        var error = Assert.Throws<InputException>(() => ConfigLoader.Parse(yaml, "deep.yaml"));
        Assert.Contains("unknown key 'x'", error.Message);
    }

    [Theory]
    [InlineData("optim:\n  base_lr: .inf\n", "key 'optim.base_lr' expects a finite number, got '.inf'")]
    [InlineData("optim:\n  base_lr: 1e999\n", "key 'optim.base_lr' expects a finite number, got '1e999'")]
    [InlineData("model:\n  mean: [.nan, 0, 0]\n", "key 'model.mean[0]' expects a finite number, got '.nan'")]
    [InlineData("model:\n  gem_p: .NaN\n", "key 'model.gem_p' expects a finite number")]
    [InlineData("model:\n  std: [0, 1, 1]\n", "key 'model.std' needs 3 positive values")]
    // Found by fuzzing: a scalar with a line break in it split the message.
    [InlineData("model:\n  gem_p: '3.0\n\n  x'\n",
        "key 'model.gem_p' expects a finite number, got the string \"3.0\\x0ax\"")]
    [InlineData("model:\n  \"dep\\nth\": 1\n", "unknown key 'model.dep\\x0ath'")]
    [InlineData("model:\n  width: 2048\n", "key 'model.width' must be in [1, 1024], got 2048")]
    [InlineData("data:\n  workers: 100000\n", "key 'data.workers' must be in [1, 256], got 100000")]
    [InlineData("data:\n  prefetch: 100000\n", "key 'data.prefetch' must be in [1, 64], got 100000")]
    public void ValuesThatCannotBeMeantAreRefused(string yaml, string expected)
    {
        var error = Assert.Throws<InputException>(() => ConfigLoader.Parse(yaml, "x.yaml"));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AFileTooLargeToBeAConfigIsRefusedUnread()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cfcd-big-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "# " + new string('x', 2 << 20) + "\n");
        try
        {
            var error = Assert.Throws<InputException>(() => ConfigLoader.Load(path));
            Assert.Contains("is more than a file of this kind can be", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
