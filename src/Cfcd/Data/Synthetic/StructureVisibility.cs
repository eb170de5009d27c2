using SkiaSharp;

namespace Cfcd.Data.Synthetic;

/// <summary>How much of a scene's structure a view shows, and where the structure lies in the image.</summary>
internal static class StructureVisibility
{
    /// <summary>The share of the structure's sample points that land inside the image and behind no occluder.</summary>
    public static double VisibleFraction(Scene scene, ViewSpec view)
    {
        int visible = 0;
        foreach (var point in scene.StructureSamples)
        {
            if (view.Camera.TryMap(point.X, point.Y, out double x, out double y) && x >= 0 && x < view.Width && y >= 0
                && y < view.Height
                && !view.Occluders.Any(occluder => occluder.Covers(x, y)))
                visible++;
        }
        return (double)visible / scene.StructureSamples.Count;
    }

    /// <summary>
    /// The image box around the structure (the projection of its bounds, which a projective map sends to the
    /// quad of the projected corners), clipped to the image and rounded outwards to whole pixels.
    /// </summary>
    public static SKRect StructureBox(Scene scene, ViewSpec view)
    {
        var bounds = scene.StructureBounds;
        double left = double.MaxValue, top = double.MaxValue, right = double.MinValue, bottom = double.MinValue;
        foreach (var (cornerX, cornerY) in new[] { (bounds.Left, bounds.Top), (bounds.Right, bounds.Top),
            (bounds.Right, bounds.Bottom), (bounds.Left, bounds.Bottom) })
        {
            if (!view.Camera.TryMap(cornerX, cornerY, out double x, out double y))
                return new SKRect(0, 0, view.Width, view.Height);
            (left, top, right, bottom) = (Math.Min(left, x), Math.Min(top, y), Math.Max(right, x), Math.Max(bottom, y));
        }
        return new SKRect((float)Math.Floor(Math.Clamp(left, 0, view.Width)),
            (float)Math.Floor(Math.Clamp(top, 0, view.Height)),
            (float)Math.Ceiling(Math.Clamp(right, 0, view.Width)),
                (float)Math.Ceiling(Math.Clamp(bottom, 0, view.Height)));
    }
}
