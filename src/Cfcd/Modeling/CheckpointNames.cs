using System.Text.RegularExpressions;

namespace Cfcd.Modeling;

/// <summary>Where a set of weights comes from; it decides the key mapping and the input convention.</summary>
public enum WeightsSource { Cfcd, CfcdCheckpoint, PyclsImageNet, Torchvision }

/// <summary>
/// Maps the key names of official CFCD checkpoints, pycls ImageNet checkpoints and torchvision ResNets to cfcd's
/// names (docs/method.md section 1): <c>backbone.*</c> with torchvision names, <c>head.fc.*</c>, <c>head.bn.*</c>,
/// <c>classifier.weight</c>. A key a source is known to carry but cfcd does not use (an ImageNet classifier)
/// maps to null; a key nobody knows is an error for the caller to report.
/// </summary>
internal static partial class CheckpointNames
{
    private const string Backbone = "backbone.";
    private const string CfcdBackbonePrefix = "globalmodel.";

    /// <summary>The name users know a source by: cfcd, CFCD, pycls ImageNet, torchvision.</summary>
    public static string Describe(WeightsSource source) => source switch
    {
        WeightsSource.Cfcd => "cfcd",
        WeightsSource.CfcdCheckpoint => "CFCD",
        WeightsSource.PyclsImageNet => "pycls ImageNet",
        WeightsSource.Torchvision => "torchvision",
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    public static WeightsSource Detect(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        if (list.Any(key => key.StartsWith(CfcdBackbonePrefix, StringComparison.Ordinal)))
            return WeightsSource.CfcdCheckpoint;
        if (list.Any(key => key.StartsWith(Backbone, StringComparison.Ordinal)))
            return WeightsSource.Cfcd;
        if (list.Contains("stem.conv.weight"))
            return WeightsSource.PyclsImageNet;
        if (list.Contains("conv1.weight"))
            return WeightsSource.Torchvision;
        var first = list.Take(4).Select(key => InputText.Quote(key));
        throw new InvalidDataException("no ResNet weights recognised (expected CFCD, pycls or torchvision names; " +
                                       $"the first keys are {string.Join(", ", first)})");
    }

    /// <summary>cfcd's name for <paramref name="key"/>; null for a known key cfcd does not use; throws for an unknown
    /// key.</summary>
    public static string? Map(string key, WeightsSource source) => source switch
    {
        WeightsSource.Cfcd => key,
        WeightsSource.Torchvision => key.StartsWith("fc.", StringComparison.Ordinal) ? null : Backbone + key,
        WeightsSource.PyclsImageNet => key.StartsWith("head.fc.", StringComparison.Ordinal) ? null
            : Backbone + FromPycls(key),
        WeightsSource.CfcdCheckpoint => FromCfcdCheckpoint(key),
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    private static string FromCfcdCheckpoint(string key)
    {
        if (key.StartsWith(CfcdBackbonePrefix, StringComparison.Ordinal))
            return Backbone + FromPycls(key[CfcdBackbonePrefix.Length..]);
        if (key.StartsWith("fc.", StringComparison.Ordinal) || key.StartsWith("bn.", StringComparison.Ordinal))
            return "head." + key;
        if (key == "desc_cls.weight")
            return "classifier.weight";
        throw new InvalidDataException($"unknown key {InputText.Quote(key)} in a CFCD checkpoint");
    }

    private static string FromPycls(string key)
    {
        var stem = StemKey().Match(key);
        if (stem.Success)
            return (stem.Groups["layer"].Value == "conv" ? "conv1." : "bn1.") + stem.Groups["rest"].Value;
        var block = BlockKey().Match(key);
        if (!block.Success)
            throw new InvalidDataException($"unknown key {InputText.Quote(key)} in pycls weights");
        int blockIndex = int.Parse(block.Groups["block"].Value, System.Globalization.CultureInfo.InvariantCulture) - 1;
        string prefix = $"layer{block.Groups["stage"].Value}.{blockIndex}.";
        string layer = block.Groups["layer"].Value switch
        {
            "proj" => "downsample.0",
            "bn" => "downsample.1",
            "f.a" => "conv1",
            "f.a_bn" => "bn1",
            "f.b" => "conv2",
            "f.b_bn" => "bn2",
            "f.c" => "conv3",
            "f.c_bn" => "bn3",
            _ => throw new InvalidDataException($"unknown key {InputText.Quote(key)} in pycls weights"),
        };
        return prefix + layer + "." + block.Groups["rest"].Value;
    }

    [GeneratedRegex(@"^stem\.(?<layer>conv|bn)\.(?<rest>[a-z_]+)$")]
    private static partial Regex StemKey();

    [GeneratedRegex(@"^s(?<stage>[1-4])\.b(?<block>[1-9][0-9]*)\.(?<layer>proj|bn|f\.[abc](_bn)?)\.(?<rest>[a-z_]+)$")]
    private static partial Regex BlockKey();
}
