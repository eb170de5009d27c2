using SkiaSharp;

namespace Cfcd.Data;

/// <summary>EXIF orientation: copies stored pixels into display orientation.</summary>
internal static unsafe class Orientation
{
    public static bool SwapsAxes(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop
        or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    public static void Apply(SKEncodedOrigin origin, PixelBuffer stored, PixelBuffer displayed)
    {
        int width = stored.Width, height = stored.Height;
        bool swap = SwapsAxes(origin);
        displayed.Resize(swap ? height : width, swap ? width : height);
        uint* source = (uint*)stored.Pixels;
        uint* target = (uint*)displayed.Pixels;
        int displayWidth = displayed.Width, displayHeight = displayed.Height;
        for (int v = 0; v < displayHeight; v++)
        {
            for (int u = 0; u < displayWidth; u++)
            {
                // (u, v) on display comes from stored pixel (x, y).
                var (x, y) = origin switch
                {
                    SKEncodedOrigin.TopRight => (width - 1 - u, v),
                    SKEncodedOrigin.BottomRight => (width - 1 - u, height - 1 - v),
                    SKEncodedOrigin.BottomLeft => (u, height - 1 - v),
                    SKEncodedOrigin.LeftTop => (v, u),
                    SKEncodedOrigin.RightTop => (v, height - 1 - u),
                    SKEncodedOrigin.RightBottom => (width - 1 - v, height - 1 - u),
                    SKEncodedOrigin.LeftBottom => (width - 1 - v, u),
                    _ => (u, v),
                };
                target[v * displayWidth + u] = source[y * width + x];
            }
        }
    }
}
