namespace Cfcd.Data;

/// <summary>A region of an image in full-size display pixels: left, top, width, height.</summary>
public readonly record struct CropBox(double X, double Y, double Width, double Height)
{
    public static CropBox Whole(int width, int height) => new(0, 0, width, height);

    /// <summary>
    /// A revisitop query box [x1, y1, x2, y2] inside the image, truncated to integers as docs/method.md section 5 says.
    /// </summary>
    public static CropBox FromBbx(IReadOnlyList<double> bbx, int width, int height)
    {
        int x1 = Math.Clamp((int)bbx[0], 0, width - 1), y1 = Math.Clamp((int)bbx[1], 0, height - 1);
        int x2 = Math.Clamp((int)bbx[2], x1 + 1, width), y2 = Math.Clamp((int)bbx[3], y1 + 1, height);
        return new CropBox(x1, y1, x2 - x1, y2 - y1);
    }
}
