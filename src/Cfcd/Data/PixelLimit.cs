using System.Globalization;
using SkiaSharp;

namespace Cfcd.Data;

/// <summary>
/// The most pixels an image may decode into, checked against the size its header declares before anything is
/// allocated, because a few hundred bytes of header can declare gigapixels (a decompression bomb). A single-scan
/// sequential JPEG over the limit is decoded at the largest of 1/2, 1/4, 1/8 (DCT scaling) within it; any other
/// image over the limit is refused. <see cref="Setting"/> names what changes the limit, for the refusal.
/// </summary>
public sealed record PixelLimit(long Pixels, string Setting)
{
    /// <summary>The default: above the photographs of ordinary cameras, far below what a bomb declares.</summary>
    public const long DefaultPixels = 100_000_000;

    /// <summary>
    /// The largest limit accepted: an image decoded at that size still fits its float planes (12 bytes a pixel) in one
    /// span of at most int.MaxValue bytes (Tensor.bytes), and its RGBA pixels too.
    /// </summary>
    public const long MostPixels = 175_000_000;

    private static readonly int[] Denominators = [2, 4, 8];

    public static PixelLimit Default { get; } = new(DefaultPixels, "default");

    /// <summary>Whether <paramref name="pixels"/> may be set as a limit: 1 to <see cref="MostPixels"/>.</summary>
    public static bool IsSettable(long pixels) => pixels is >= 1 and <= MostPixels;

    /// <summary>
    /// The largest scale, 1 or 1/2, 1/4, 1/8 for a single-scan sequential JPEG, at which <paramref name="image"/>
    /// decodes into at most <see cref="Pixels"/> pixels; an <see cref="InputException"/> when there is none.
    /// </summary>
    public double LargestScale(EncodedImage image)
    {
        long width = image.Codec.Info.Width, height = image.Codec.Info.Height;
        if (width * height <= Pixels)
            return 1.0;
        bool jpeg = image.Codec.EncodedFormat == SKEncodedImageFormat.Jpeg;
        bool reducible = jpeg && JpegHeader.IsSingleScanSequential(image.Path);
        if (reducible)
        {
            // libjpeg rounds a scaled side up.
            foreach (int denominator in Denominators)
                if (Ceiling(width, denominator) * Ceiling(height, denominator) <= Pixels)
                    return 1.0 / denominator;
        }
        string why = reducible ? " even at 1/8 size"
            : jpeg ? " (only a single-scan sequential JPEG decodes smaller)"
            : "";
        throw new InputException(string.Create(CultureInfo.InvariantCulture,
            $"{image.Path}: {width} x {height} pixels ({width * height / 1e6:0.##} megapixels) is over the {Setting} " +
            $"limit of {Pixels / 1e6:0.##} megapixels{why}; not decoded"));
    }

    private static long Ceiling(long size, int denominator) => (size + denominator - 1) / denominator;
}
