using System.Globalization;
using Cfcd.Config;

namespace Cfcd.Modeling;

/// <summary>
/// The metadata of a cfcd safetensors weights file, parsed and range-checked: it is user input, and a NaN std or a
/// zero gem_p would not fail but silently give NaN descriptors.
/// </summary>
internal sealed record WeightsMetadata(InputConvention Convention, double GemP, int Depth, int? Width,
    int? DescriptorDim, int? Classes)
{
    public static WeightsMetadata Parse(string path, IReadOnlyDictionary<string, string> metadata)
    {
        string Required(string key) => metadata.TryGetValue(key, out var value)
            ? value
            : throw new InputException($"{path}: safetensors metadata lacks {key}; is this a cfcd weights file?");
        int? Count(string key) => metadata.TryGetValue(key, out var value) ? PositiveInteger(path, key, value) : null;
        var order = Required("channel_order") switch
        {
            "bgr" => ChannelOrder.Bgr,
            "rgb" => ChannelOrder.Rgb,
            var other => throw new InputException(
                $"{path}: channel_order {InputText.Quote(other)} is neither bgr nor rgb"),
        };
        var mean = Numbers(path, "mean", Required("mean"), positive: false);
        var std = Numbers(path, "std", Required("std"), positive: true);
        double gemP = Number(path, "gem_p", Required("gem_p"), positive: true);
        int depth = PositiveInteger(path, "depth", Required("depth"));
        if (!ResNetLayout.IsSupported(depth))
            throw new InputException($"{path}: metadata depth {depth} is not one of " +
                                     string.Join(", ", ResNetLayout.SupportedDepths.Order()));
        var convention = new InputConvention(order, mean.Select(value => (float)value).ToArray(),
            std.Select(value => (float)value).ToArray());
        return new WeightsMetadata(convention, gemP, depth, Count("width"), Count("descriptor_dim"), Count("classes"));
    }

    /// <summary>Refuses metadata that contradicts the tensors (a damaged or hand-edited file).</summary>
    public void CheckAgainst(string path, WeightsShape shape)
    {
        void Same(string key, int? recorded, int? actual)
        {
            if (recorded is int value && value != actual)
                throw new InputException($"{path}: metadata says {key} {value}, the tensors have " +
                                         (actual is int count ? count.ToString(CultureInfo.InvariantCulture) : "none"));
        }
        Same("depth", Depth, shape.Layout.Depth);
        Same("width", Width, shape.Layout.Width);
        Same("descriptor_dim", DescriptorDim, shape.DescriptorDim);
        Same("classes", Classes, shape.Classes);
    }

    private static double[] Numbers(string path, string key, string text, bool positive)
    {
        var parts = text.Split(',');
        return parts.Length == 3
            ? parts.Select(part => Number(path, key, part, positive)).ToArray()
            : throw new InputException($"{path}: metadata {key} '{InputText.Quote(text)}' needs three numbers");
    }

    private static double Number(string path, string key, string text, bool positive)
    {
        // Parsing takes "NaN" and "Infinity"; the network computes in single precision, where 1e39 is infinite too.
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !float.IsFinite((float)value) || positive && (float)value <= 0)
            throw new InputException($"{path}: metadata {key} '{InputText.Quote(text)}' is not a finite " +
                                     (positive ? "positive number" : "number"));
        return value;
    }

    private static int PositiveInteger(string path, string key, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new InputException($"{path}: metadata {key} '{InputText.Quote(text)}' is not a positive integer");
}
