using SkiaSharp;

namespace Cfcd.Data.Synthetic;

/// <summary>
/// The photometric change of a view: per-channel gain (exposure times tint) and contrast about mid-grey, then a
/// shadow that darkens the image towards one side by up to <see cref="ShadeStrength"/> (0..1).
/// </summary>
public sealed record Lighting(float RedGain, float GreenGain, float BlueGain, float Contrast, float ShadeStrength,
    float ShadeAngle)
{
    public static Lighting Neutral { get; } = new(1, 1, 1, 1, 0, 0);
}

public enum OccluderKind { Box, Blob, Tree }

/// <summary>Something in front of the scene (a wall, a car, a bush, a tree, a passer-by), in image pixels.</summary>
public sealed record Occluder(OccluderKind Kind, SKRect Bounds, SKColor Color)
{
    public SKRect TreeTrunk => new(Bounds.MidX - 0.08f * Bounds.Width, Bounds.Top + 0.55f * Bounds.Height,
        Bounds.MidX + 0.08f * Bounds.Width, Bounds.Bottom);

    public SKRect TreeCrown => new(Bounds.Left, Bounds.Top, Bounds.Right, Bounds.Top + 0.65f * Bounds.Height);

    public bool Covers(double x, double y) => Kind switch
    {
        OccluderKind.Box => Inside(Bounds, x, y),
        OccluderKind.Blob => InsideEllipse(Bounds, x, y),
        _ => InsideEllipse(TreeCrown, x, y) || Inside(TreeTrunk, x, y),
    };

    private static bool Inside(SKRect rect, double x, double y) => x >= rect.Left && x < rect.Right && y >= rect.Top
        && y < rect.Bottom;

    private static bool InsideEllipse(SKRect rect, double x, double y)
    {
        double dx = (x - rect.MidX) / (rect.Width / 2), dy = (y - rect.MidY) / (rect.Height / 2);
        return dx * dx + dy * dy <= 1;
    }
}

/// <summary>
/// One photograph of a scene: image size, camera (scene units to pixels), lighting and what stands in front.
/// <see cref="StrongChange"/> says the camera or the lighting differs strongly from a frontal daylight view.
/// </summary>
public sealed record ViewSpec(int Width, int Height, Homography Camera, Lighting Lighting,
    IReadOnlyList<Occluder> Occluders, bool StrongChange);
