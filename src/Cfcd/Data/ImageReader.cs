using SkiaSharp;

namespace Cfcd.Data;

/// <summary>
/// Decoded RGBA pixels in display orientation: a window of the image decoded at <see cref="Scale"/> of its full size,
/// starting at (<see cref="OffsetX"/>, <see cref="OffsetY"/>) in decoded pixels (0, 0 for the whole image).
/// </summary>
public readonly unsafe struct PixelView(byte* pixels, int width, int height, double scale, int offsetX = 0,
    int offsetY = 0, int stride = 0)
{
    public byte* Pixels { get; } = pixels;

    public int Width { get; } = width;

    public int Height { get; } = height;

    /// <summary>Decoded size over full size (1, or k/8 for a reduced JPEG decode).</summary>
    public double Scale { get; } = scale;

    public int OffsetX { get; } = offsetX;

    public int OffsetY { get; } = offsetY;

    /// <summary>Bytes from one row to the next (at least 4 x width).</summary>
    public int Stride { get; } = stride > 0 ? stride : width * 4;
}

/// <summary>
/// Decodes JPEG, PNG, WebP, BMP, GIF with SkiaSharp into reusable buffers, one reader per worker thread. EXIF
/// orientation is applied; JPEGs can be decoded at 1/2, 1/4 or 1/8 size by libjpeg-turbo's DCT scaling when the
/// caller needs less, and only the rows and columns of a requested region, pixel for pixel as a full decode would
/// give them (libjpeg-turbo's scanline skipping and cropping). Grayscale and CMYK become RGB(A); alpha is ignored
/// downstream.
/// A <see cref="PixelLimit"/> bounds what any image decodes into: a large JPEG is decoded smaller, others refused.
/// </summary>
public sealed unsafe class ImageReader : IDisposable
{
    // libjpeg-turbo has SIMD IDCTs for these; the other k/8 scalings measured slower than a full decode.
    private static readonly double[] Reductions = [0.125, 0.25, 0.5];

    private readonly PixelBuffer _decoded = new();
    private readonly PixelLimit _limit;

    /// <summary>Which decoder training crops of JPEGs use here (for `cfcd info`).</summary>
    public static string JpegCropDecoder => LibJpeg.Available ? "libjpeg-turbo window decoder (libcfcdjpeg.so)"
        : "SkiaSharp (libcfcdjpeg.so not built or CFCD_JPEG=skia)";

    private readonly PixelBuffer _oriented = new();

    /// <param name="limit">The most pixels an image may decode into (<see cref="PixelLimit.Default"/> if null).</param>
    public ImageReader(PixelLimit? limit = null) => _limit = limit ?? PixelLimit.Default;

    /// <summary>Opens an image and reads its header. Dispose the result.</summary>
    public static EncodedImage Open(string path)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: no such image file");
        var codec = SKCodec.Create(path, out var status)
            ?? throw new InputException($"{path}: not a readable image ({status})");
        return new EncodedImage(path, codec);
    }

    /// <summary>
    /// Decodes <paramref name="image"/> at the smallest supported size that is at least <paramref name="minimumScale"/>
    /// of the full size (1 decodes at full size), or smaller where the pixel limit asks (<see cref="PixelView.Scale"/>
    /// says which). The view stays valid until the next call on this reader.
    /// </summary>
    /// <param name="region">Where the caller will read (full-size display pixels); a JPEG decodes little more than
    /// that.</param>
    /// <exception cref="InputException">The image is over the pixel limit, damaged or truncated.</exception>
    public PixelView Decode(EncodedImage image, double minimumScale = 1.0, CropBox? region = null)
    {
        minimumScale = Math.Min(minimumScale, _limit.LargestScale(image));
        if (region is CropBox area && LibJpeg.Available && image.Origin == SKEncodedOrigin.TopLeft
            && image.Codec.EncodedFormat == SKEncodedImageFormat.Jpeg
                && DecodeWithLibJpeg(image, minimumScale, area) is PixelView fast)
            return fast;
        var codec = image.Codec;
        var size = codec.Info.Size;
        double chosen = 1.0;
        foreach (double reduction in Reductions)
        {
            if (reduction >= minimumScale)
            {
                var scaled = codec.GetScaledDimensions((float)reduction);
                if (scaled.Width < size.Width && scaled.Width >= minimumScale * codec.Info.Width
                    && scaled.Height >= minimumScale * codec.Info.Height)
                {
                    (size, chosen) = (scaled, reduction);
                    break;
                }
            }
        }
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // A JPEG's DCT scaling maps pixel x to x / d in both directions (its size rounds up); WebP resamples to size.
        double scale = codec.EncodedFormat == SKEncodedImageFormat.Jpeg
            ? chosen
            : (double)size.Width / codec.Info.Width;
        if (region is CropBox box && image.Origin == SKEncodedOrigin.TopLeft
            && codec.EncodedFormat == SKEncodedImageFormat.Jpeg
            && codec.ScanlineOrder == SKCodecScanlineOrder.TopDown
                && DecodeWindow(image, info, scale, box) is PixelView window)
            return window;
        _decoded.Resize(size.Width, size.Height);
        var result = codec.GetPixels(info, (IntPtr)_decoded.Pixels);
        if (result != SKCodecResult.Success)
            throw new InputException($"{image.Path}: the image is damaged or truncated ({result})");
        if (image.Origin == SKEncodedOrigin.TopLeft)
            return new PixelView(_decoded.Pixels, size.Width, size.Height, scale);
        Orientation.Apply(image.Origin, _decoded, _oriented);
        return new PixelView(_oriented.Pixels, _oriented.Width, _oriented.Height, scale);
    }

    /// <summary>
    /// Scanline decode of the rows covering <paramref name="region"/> (plus one for the filter): rows above are skipped
    /// and decoding stops after the last. Whole rows: Skia's column subsetting (libjpeg-turbo's jpeg_crop_scanline)
    /// was seen to corrupt the native heap now and then, so it is not used.
    /// </summary>
    private PixelView? DecodeWindow(EncodedImage image, SKImageInfo info, double scale, CropBox region)
    {
        var (top, bottom) = ScaledSpan(region.Y, region.Height, scale, info.Height);
        if (image.Codec.StartScanlineDecode(info) != SKCodecResult.Success)
            return null;
        _decoded.Resize(info.Width, bottom - top);
        if (top > 0 && !image.Codec.SkipScanlines(top))
            throw new InputException($"{image.Path}: the image is damaged or truncated (rows missing)");
        int rows = image.Codec.GetScanlines((IntPtr)_decoded.Pixels, bottom - top, _decoded.Stride);
        if (rows != bottom - top)
            throw new InputException($"{image.Path}: the image is damaged or truncated ({rows} of {bottom - top} " +
                                     "rows decoded)");
        return new PixelView(_decoded.Pixels, info.Width, bottom - top, scale, 0, top);
    }

    /// <summary>The rows and columns of <paramref name="region"/> with libjpeg-turbo; null for JPEGs it leaves to Skia
    /// (CMYK).</summary>
    private PixelView? DecodeWithLibJpeg(EncodedImage image, double minimumScale, CropBox region)
    {
        int denominator = Reductions.Select(reduction => (int)Math.Round(1 / reduction))
            .FirstOrDefault(d => 1.0 / d >= minimumScale, 1);
        var full = image.Codec.Info;
        int scaledWidth = (full.Width + denominator - 1) / denominator;
        int scaledHeight = (full.Height + denominator - 1) / denominator;
        // DCT scaling maps pixel x to x / d in both directions; only the scaled size rounds up.
        double scale = 1.0 / denominator;
        var (left, right) = ScaledSpan(region.X, region.Width, scale, scaledWidth);
        var (top, bottom) = ScaledSpan(region.Y, region.Height, scale, scaledHeight);
        // libjpeg decodes one column more on each side and widens the left to a whole iMCU (at most 32 pixels).
        _decoded.Resize(Math.Min(scaledWidth, right - left + 64), bottom - top);
        var result = LibJpeg.Window(image.Path, denominator, left, right, top, bottom, _decoded.Pixels,
            (long)_decoded.Stride * _decoded.Height, out int firstColumn, out int width, out int rows, out _, out _,
            out string message);
        return result switch
        {
            // Only [left, right): the window's outer columns were upsampled as if they were image edges.
            LibJpeg.Result.Ok => new PixelView(_decoded.Pixels + (left - firstColumn) * 4, right - left, rows, scale,
                left, top, width * 4),
            LibJpeg.Result.Unsupported => null,
            _ => throw new InputException($"{image.Path}: the image is damaged or truncated ({message})"),
        };
    }

    /// <summary>
    /// The decoded pixels [start, end) that cover a region's extent [<paramref name="start"/>, +<paramref
    /// name="length"/>)
    /// given in full-size pixels, with one pixel more on each side for the bilinear filter, within [0, <paramref
    /// name="limit"/>).
    /// </summary>
    private static (int Start, int End) ScaledSpan(double start, double length, double scale, int limit)
    {
        int first = Math.Clamp((int)Math.Floor(start * scale) - 1, 0, limit - 1);
        int end = Math.Clamp((int)Math.Ceiling((start + length) * scale) + 1, first + 1, limit);
        return (first, end);
    }

    public void Dispose()
    {
        _decoded.Dispose();
        _oriented.Dispose();
    }
}

/// <summary>An opened image file: its codec and its size as displayed (EXIF orientation applied).</summary>
public sealed class EncodedImage(string path, SKCodec codec) : IDisposable
{
    public string Path { get; } = path;

    internal SKCodec Codec { get; } = codec;

    public SKEncodedOrigin Origin => Codec.EncodedOrigin;

    /// <summary>Width and height as displayed: swapped for the EXIF orientations that rotate by 90 degrees.</summary>
    public (int Width, int Height) Size => Orientation.SwapsAxes(Origin)
        ? (Codec.Info.Height, Codec.Info.Width)
        : (Codec.Info.Width, Codec.Info.Height);

    public void Dispose() => Codec.Dispose();
}
