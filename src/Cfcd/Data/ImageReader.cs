using SkiaSharp;

namespace Cfcd.Data;

/// <summary>
/// Decoded RGBA pixels in display orientation: a window of the image decoded at <see cref="Scale"/> of its full size,
/// starting at (<see cref="OffsetX"/>, <see cref="OffsetY"/>) in decoded pixels (0, 0 for the whole image).
/// </summary>
public readonly unsafe struct PixelView(byte* pixels, int width, int height, double scale, int offsetX = 0, int offsetY = 0)
{
    public byte* Pixels { get; } = pixels;

    public int Width { get; } = width;

    public int Height { get; } = height;

    /// <summary>Decoded size over full size (1, or k/8 for a reduced JPEG decode).</summary>
    public double Scale { get; } = scale;

    public int OffsetX { get; } = offsetX;

    public int OffsetY { get; } = offsetY;

    public int Stride => Width * 4;
}

/// <summary>
/// Decodes JPEG, PNG, WebP, BMP, GIF with SkiaSharp into reusable buffers, one reader per worker thread. EXIF
/// orientation is applied; JPEGs can be decoded at 1/2, 1/4 or 1/8 size by libjpeg-turbo's DCT scaling when the
/// caller needs less, and only the rows and columns of a requested region (libjpeg-turbo's scanline skipping and
/// cropping). Grayscale and CMYK become RGB(A); alpha is ignored downstream.
/// </summary>
public sealed unsafe class ImageReader : IDisposable
{
    // libjpeg-turbo has SIMD IDCTs for these; the other k/8 scalings measured slower than a full decode.
    private static readonly double[] Reductions = [0.125, 0.25, 0.5];

    private readonly PixelBuffer _decoded = new();
    private readonly PixelBuffer _oriented = new();

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
    /// of the full size (1 decodes at full size). The view stays valid until the next call on this reader.
    /// </summary>
    /// <param name="region">Where the caller will read (full-size display pixels); a JPEG decodes little more than that.</param>
    public PixelView Decode(EncodedImage image, double minimumScale = 1.0, CropBox? region = null)
    {
        var codec = image.Codec;
        var size = codec.Info.Size;
        foreach (double reduction in Reductions)
        {
            if (reduction >= minimumScale)
            {
                var scaled = codec.GetScaledDimensions((float)reduction);
                if (scaled.Width < size.Width && scaled.Width >= minimumScale * codec.Info.Width && scaled.Height >= minimumScale * codec.Info.Height)
                {
                    size = scaled;
                    break;
                }
            }
        }
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        double scale = (double)size.Width / codec.Info.Width;
        if (region is CropBox box && image.Origin == SKEncodedOrigin.TopLeft && codec.EncodedFormat == SKEncodedImageFormat.Jpeg
            && codec.ScanlineOrder == SKCodecScanlineOrder.TopDown && DecodeWindow(image, info, scale, box) is PixelView window)
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

    /// <summary>Scanline decode of the rows and columns covering <paramref name="region"/> (plus one pixel for the filter).</summary>
    private PixelView? DecodeWindow(EncodedImage image, SKImageInfo info, double scale, CropBox region)
    {
        int left = Math.Clamp((int)Math.Floor(region.X * scale) - 1, 0, info.Width - 1);
        int right = Math.Clamp((int)Math.Ceiling((region.X + region.Width) * scale) + 1, left + 1, info.Width);
        int top = Math.Clamp((int)Math.Floor(region.Y * scale) - 1, 0, info.Height - 1);
        int bottom = Math.Clamp((int)Math.Ceiling((region.Y + region.Height) * scale) + 1, top + 1, info.Height);
        var subset = new SKRectI(left, 0, right, info.Height);
        var options = new SKCodecOptions(subset);
        if (image.Codec.StartScanlineDecode(info, options) != SKCodecResult.Success)
            return null;
        _decoded.Resize(subset.Width, bottom - top);
        if (top > 0 && !image.Codec.SkipScanlines(top))
            throw new InputException($"{image.Path}: the image is damaged or truncated (rows missing)");
        int rows = image.Codec.GetScanlines((IntPtr)_decoded.Pixels, bottom - top, _decoded.Stride);
        if (rows != bottom - top)
            throw new InputException($"{image.Path}: the image is damaged or truncated ({rows} of {bottom - top} rows decoded)");
        return new PixelView(_decoded.Pixels, subset.Width, bottom - top, scale, subset.Left, top);
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
