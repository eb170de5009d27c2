using Cfcd.Config;

namespace Cfcd.Modeling;

/// <summary>What a <see cref="CfcdNet"/> is made of; weights files record it so a network can be rebuilt.</summary>
/// <param name="Classes">Rows of the cosine classifier; 0 for a network without one (extraction only).</param>
public sealed record NetworkSpec(ResNetLayout Layout, int DescriptorDim, int Classes = 0, double GemP = 3.0,
    bool GemLearnable = false)
{
    public static NetworkSpec FromConfig(ModelConfig model, int classes) =>
        new(new ResNetLayout(model.Depth, model.Width), model.DescriptorDim, classes, model.GemP, model.GemLearnable);
}

/// <summary>
/// How pixels must be prepared for a set of weights: channel order, then (x / 255 - mean) / std per channel,
/// with mean and std listed in that channel order. pycls and CFCD weights are BGR; torchvision's are RGB.
/// </summary>
public sealed record InputConvention(ChannelOrder ChannelOrder, float[] Mean, float[] Std)
{
    public static InputConvention Pycls { get; } =
        new(ChannelOrder.Bgr, [0.406f, 0.456f, 0.485f], [0.225f, 0.224f, 0.229f]);

    public static InputConvention Torchvision { get; } =
        new(ChannelOrder.Rgb, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    public static InputConvention FromConfig(ModelConfig model) =>
        new(model.ChannelOrder, model.Mean.Select(value => (float)value).ToArray(),
            model.Std.Select(value => (float)value).ToArray());

    public bool Equals(InputConvention? other) =>
        other is not null && ChannelOrder == other.ChannelOrder && Mean.SequenceEqual(other.Mean)
            && Std.SequenceEqual(other.Std);

    public override int GetHashCode() =>
        HashCode.Combine(ChannelOrder, Mean.Length > 0 ? Mean[0] : 0, Std.Length > 0 ? Std[0] : 0);

    public override string ToString() =>
        $"{ChannelOrder.ToString().ToUpperInvariant()}, mean [{string.Join(", ", Mean)}], std " +
        $"[{string.Join(", ", Std)}]";
}
