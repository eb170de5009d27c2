using Cfcd.Config;
using Cfcd.Modeling;

namespace Cfcd.Data;

/// <summary>
/// How the three output planes are made from RGBA pixels: plane c reads one source channel (the channel order of the
/// weights) and writes (pixel / 255 + lighting[channel] - mean[c]) / std[c] as one multiply-add.
/// </summary>
internal readonly struct PlaneWriter
{
    public readonly int Source0, Source1, Source2;
    public readonly float Scale0, Scale1, Scale2;
    public readonly float Shift0, Shift1, Shift2;

    /// <param name="lightingRgb">Per-RGB-channel offsets in [0, 1] units (PCA lighting); null for none.</param>
    public PlaneWriter(InputConvention convention, ReadOnlySpan<float> lightingRgb = default)
    {
        Span<int> sources = stackalloc int[3];
        Span<float> scales = stackalloc float[3];
        Span<float> shifts = stackalloc float[3];
        for (int plane = 0; plane < 3; plane++)
        {
            int source = convention.ChannelOrder == ChannelOrder.Bgr ? 2 - plane : plane;
            float light = lightingRgb.IsEmpty ? 0f : lightingRgb[source];
            sources[plane] = source;
            scales[plane] = 1f / (255f * convention.Std[plane]);
            shifts[plane] = (light - convention.Mean[plane]) / convention.Std[plane];
        }
        (Source0, Source1, Source2) = (sources[0], sources[1], sources[2]);
        (Scale0, Scale1, Scale2) = (scales[0], scales[1], scales[2]);
        (Shift0, Shift1, Shift2) = (shifts[0], shifts[1], shifts[2]);
    }
}
