using SkiaSharp;

namespace Cfcd.Data.Synthetic;

/// <summary>
/// A plane-to-plane projective map (row-major 3 x 3, in double precision): the camera of a view, from scene
/// units to image pixels. SkiaSharp has no four-point constructor, so <see cref="RectToQuad"/> builds one.
/// </summary>
public sealed class Homography
{
    private readonly double[] _m;

    private Homography(double[] m) => _m = m;

    /// <summary>The map taking the rectangle's corners (top-left, top-right, bottom-right, bottom-left) to <paramref
    /// name="quad"/>.</summary>
    public static Homography RectToQuad(SKRect rect, ReadOnlySpan<SKPoint> quad)
    {
        if (quad.Length != 4)
            throw new ArgumentException("a quad has four corners", nameof(quad));
        double left = rect.Left, top = rect.Top, width = rect.Width, height = rect.Height;
        var toUnit = new Homography([1 / width, 0, -left / width, 0, 1 / height, -top / height, 0, 0, 1]);
        return UnitSquareToQuad(quad) * toUnit;
    }

    // Heckbert, "Fundamentals of texture mapping and image warping" (1989), section 2.2.3.
    private static Homography UnitSquareToQuad(ReadOnlySpan<SKPoint> q)
    {
        double x0 = q[0].X, y0 = q[0].Y, x1 = q[1].X, y1 = q[1].Y, x2 = q[2].X, y2 = q[2].Y, x3 = q[3].X, y3 = q[3].Y;
        double sx = x0 - x1 + x2 - x3, sy = y0 - y1 + y2 - y3;
        double dx1 = x1 - x2, dx2 = x3 - x2, dy1 = y1 - y2, dy2 = y3 - y2;
        double denominator = dx1 * dy2 - dx2 * dy1;
        double g = (sx * dy2 - dx2 * sy) / denominator, h = (dx1 * sy - sx * dy1) / denominator;
        return new Homography([x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h,
            1]);
    }

    public static Homography operator *(Homography a, Homography b)
    {
        var m = new double[9];
        for (int row = 0; row < 3; row++)
            for (int column = 0; column < 3; column++)
                m[row * 3 + column] = a._m[row * 3] * b._m[column] + a._m[row * 3 + 1] * b._m[3 + column]
                    + a._m[row * 3 + 2] * b._m[6 + column];
        return new Homography(m);
    }

    /// <summary>Maps a point; false where it lies on or behind the camera's vanishing line.</summary>
    public bool TryMap(double x, double y, out double mappedX, out double mappedY)
    {
        double w = _m[6] * x + _m[7] * y + _m[8];
        mappedX = (_m[0] * x + _m[1] * y + _m[2]) / w;
        mappedY = (_m[3] * x + _m[4] * y + _m[5]) / w;
        return w > 1e-9;
    }

    public Homography Inverse()
    {
        var m = _m;
        double c00 = m[4] * m[8] - m[5] * m[7], c01 = m[5] * m[6] - m[3] * m[8], c02 = m[3] * m[7] - m[4] * m[6];
        double determinant = m[0] * c00 + m[1] * c01 + m[2] * c02;
        if (Math.Abs(determinant) < 1e-15)
            throw new InvalidOperationException("the homography is singular");
        double s = 1 / determinant;
        return new Homography([
            c00 * s, (m[2] * m[7] - m[1] * m[8]) * s, (m[1] * m[5] - m[2] * m[4]) * s,
            c01 * s, (m[0] * m[8] - m[2] * m[6]) * s, (m[2] * m[3] - m[0] * m[5]) * s,
            c02 * s, (m[1] * m[6] - m[0] * m[7]) * s, (m[0] * m[4] - m[1] * m[3]) * s]);
    }

    public SKMatrix ToSKMatrix() => new((float)_m[0], (float)_m[1], (float)_m[2], (float)_m[3], (float)_m[4],
        (float)_m[5], (float)_m[6], (float)_m[7], (float)_m[8]);
}
