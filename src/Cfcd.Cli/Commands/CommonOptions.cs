using System.CommandLine;
using System.Globalization;
using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Retrieval;

namespace Cfcd.Cli.Commands;

/// <summary>Options that several verbs share, so they read and behave the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<FileInfo> Config() => new("--config")
    {
        Description = "YAML config file (see configs/).",
        Required = true,
    };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a config value, e.g. --set optim.base_lr=0.01 (repeatable; the value is YAML).",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<FileInfo> Weights(bool required = true) => new("--weights")
    {
        Description = "Model weights: cfcd .safetensors, a CFCD/pycls .pyth checkpoint or a torchvision state dict.",
        Required = required,
    };

    public static Option<string> Device() => new Option<string>("--device")
    {
        Description = "cpu or cuda (default: cuda when available, else cpu).",
    }.AcceptOnlyFromAmong("cpu", "cuda");

    public static Option<string> Scales() => new("--scales")
    {
        Description = "Comma-separated extraction scales.",
        DefaultValueFactory = _ => string.Join(",",
            DescriptorExtractor.DefaultScales.Select(scale => scale.ToString(CultureInfo.InvariantCulture))),
    };

    public static Option<long> MaxImagePixels() => new("--max-image-pixels")
    {
        Description = "The most pixels an image may decode into: a larger JPEG is decoded at 1/2, 1/4 or 1/8 size " +
                      "if that fits, any other image is skipped as unreadable (a decompression bomb); " +
                      $"1 to {PixelLimit.MostPixels}.",
        DefaultValueFactory = _ => PixelLimit.DefaultPixels,
    };

    /// <summary>The --max-image-pixels value, within [1, <see cref="PixelLimit.MostPixels"/>].</summary>
    public static long ParseMaxImagePixels(ParseResult parse, Option<long> option)
    {
        long pixels = parse.GetValue(option);
        return PixelLimit.IsSettable(pixels)
            ? pixels
            : throw new InputException($"--max-image-pixels must be in [1, {PixelLimit.MostPixels}], got {pixels}");
    }

    /// <summary>Loads the config named by --config with the --set overrides applied and validated.</summary>
    public static CfcdConfig LoadConfig(ParseResult parse, Option<FileInfo> config, Option<string[]> set) =>
        // FileInfo.ToString() is the path as the user typed it, which is what error messages should name.
        ConfigLoader.Load(parse.GetValue(config)!.ToString(), parse.GetValue(set) ?? []);

    /// <summary>Images of equal size per forward pass: on a CPU one at a time measured fastest (and 4x leaner than
    /// 8).</summary>
    public static Option<int?> ExtractionBatch() => new("--batch")
    {
        Description =
            "Images of equal size per forward pass, at most (default: 8 on CUDA, 1 on the CPU, where batching does " +
            "not pay).",
    };

    /// <summary>The --scales list: comma-separated positive numbers.</summary>
    public static double[] ParseScales(string text)
    {
        var scales = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale)
                || !(scale > 0) || double.IsInfinity(scale))
                throw new InputException($"--scales: '{part}' is not a positive number");
            scales.Add(scale);
        }
        return scales.Count > 0 ? [.. scales] : throw new InputException("--scales: no scales given");
    }
}
