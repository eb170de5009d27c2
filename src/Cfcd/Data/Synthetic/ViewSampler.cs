using SkiaSharp;

namespace Cfcd.Data.Synthetic;

/// <summary>
/// How far a view departs from a frontal, complete, daylight photograph. <see cref="Glimpse"/> frames the view
/// beside or above the structure so that only a sliver of it shows.
/// </summary>
internal enum ViewStrength { Mild, Moderate, Strong, Glimpse }

/// <summary>
/// Draws a view of a scene: image size and aspect, framing (zoom and shift), perspective (the view rectangle
/// mapped to a tilted and rotated quad), lighting, occluders and small clutter.
/// </summary>
internal static class ViewSampler
{
    // Beyond these a view is a strong change (hard even when the structure is in full sight).
    private const float StrongTilt = 0.18f, StrongRotation = 10, DarkGain = 0.6f, BrightGain = 1.45f,
        StrongTint = 0.18f, StrongShade = 0.45f, LowContrast = 0.7f;

    private static readonly OccluderKind[] Kinds = [OccluderKind.Box, OccluderKind.Blob, OccluderKind.Tree];

    /// <param name="clearView">No occluders, only small clutter (for query images).</param>
    public static ViewSpec Sample(Scene scene, ViewStrength strength, int longSide, SyntheticRandom random,
        bool clearView = false)
    {
        var (width, height) = ImageSize(longSide, random);
        var framing = Framing(scene.StructureBounds, strength, width, height, random);
        var (quad, strongCamera) = Quad(strength, width, height, random);
        var (lighting, strongLighting) = Light(strength, random);
        var occluders = clearView ? new List<Occluder>() : Occluders(strength, width, height, random);
        occluders.AddRange(Clutter(width, height, random));
        return new ViewSpec(width, height, Homography.RectToQuad(framing, quad), lighting, occluders,
            strongCamera || strongLighting);
    }

    private static (int Width, int Height) ImageSize(int longSide, SyntheticRandom random)
    {
        int shortSide = (int)Math.Round(longSide * 0.75);
        return random.Next(3) switch
        {
            0 => (longSide, shortSide), 1 => (shortSide, longSide), _ => (longSide, longSide),
        };
    }

    /// <summary>The rectangle of the scene (in scene units, with the image's aspect) that the camera frames.</summary>
    private static SKRect Framing(SKRect structure, ViewStrength strength, int width, int height,
        SyntheticRandom random)
    {
        float aspect = (float)width / height;
        // the view width that holds the whole structure
        float fit = Math.Max(structure.Width, structure.Height * aspect);
        float zoom = strength switch
        {
            ViewStrength.Mild => random.Range(1.15, 1.45),
            ViewStrength.Moderate => random.Range(0.75, 1.3),
            ViewStrength.Strong => random.Range(0.5, 1.1),
            _ => random.Range(0.6, 1.0),
        };
        float viewWidth = fit * zoom, viewHeight = viewWidth / aspect;
        float x = structure.MidX, y = structure.MidY;
        switch (strength)
        {
            case ViewStrength.Mild:
                x += random.Symmetric(0.7 * Math.Max(0, viewWidth - structure.Width) / 2);
                y += random.Symmetric(0.7 * Math.Max(0, viewHeight - structure.Height) / 2);
                break;
            case ViewStrength.Moderate:
                x += random.Symmetric(0.25 * structure.Width);
                y += random.Symmetric(0.2 * structure.Height);
                break;
            case ViewStrength.Strong:
                x += random.Symmetric(0.45 * structure.Width);
                y += random.Symmetric(0.35 * structure.Height);
                break;
            default:
                float overlap = random.Range(0.03, 0.25);
                switch (random.Next(3))
                {
                    case 0:
                        x = structure.Left + overlap * structure.Width - viewWidth / 2;
                        y += random.Symmetric(0.2 * structure.Height);
                        break;
                    case 1:
                        x = structure.Right - overlap * structure.Width + viewWidth / 2;
                        y += random.Symmetric(0.2 * structure.Height);
                        break;
                    default:
                        x += random.Symmetric(0.3 * structure.Width);
                        y = structure.Top + overlap * structure.Height - viewHeight / 2;
                        break;
                }
                break;
        }
        return new SKRect(x - viewWidth / 2, y - viewHeight / 2, x + viewWidth / 2, y + viewHeight / 2);
    }

    /// <summary>Where the framing's corners land in the image: the image rectangle turned (yaw, pitch) and
    /// rotated.</summary>
    private static (SKPoint[] Quad, bool Strong) Quad(ViewStrength strength, int width, int height,
        SyntheticRandom random)
    {
        var (tilt, rotation) = strength switch
        {
            ViewStrength.Mild => (0.06, 3.0),
            ViewStrength.Moderate => (0.15, 7.0),
            ViewStrength.Strong => (0.3, 14.0),
            _ => (0.2, 10.0),
        };
        float yaw = random.Symmetric(tilt), pitch = random.Symmetric(0.6 * tilt), angle = random.Symmetric(rotation);
        SKPoint[] quad = [new(0, 0), new(width, 0), new(width, height), new(0, height)];
        // The far side of a turned plane looks shorter: yaw shortens the left or right edge, pitch the top or bottom
        // one.
        var (near, far) = yaw > 0 ? (1, 2) : (0, 3);
        quad[near].Y += Math.Abs(yaw) * height / 2;
        quad[far].Y -= Math.Abs(yaw) * height / 2;
        (near, far) = pitch > 0 ? (0, 1) : (3, 2);
        quad[near].X += Math.Abs(pitch) * width / 2;
        quad[far].X -= Math.Abs(pitch) * width / 2;
        var turn = SKMatrix.CreateRotationDegrees(angle, width / 2f, height / 2f);
        for (int i = 0; i < 4; i++)
            quad[i] = turn.MapPoint(quad[i]);
        bool strong = Math.Abs(yaw) > StrongTilt || Math.Abs(pitch) > StrongTilt || Math.Abs(angle) > StrongRotation;
        return (quad, strong);
    }

    private static (Lighting Lighting, bool Strong) Light(ViewStrength strength, SyntheticRandom random)
    {
        var (gain, tint, contrast, shade) = strength switch
        {
            ViewStrength.Mild => (random.Range(0.85, 1.15), 0.05, random.Range(0.9, 1.1), random.Range(0, 0.15)),
            ViewStrength.Moderate => (random.Range(0.7, 1.3), 0.12, random.Range(0.8, 1.15), random.Range(0, 0.35)),
            _ => (random.Chance(0.5) ? random.Range(0.4, 0.65) : random.Range(1.3, 1.6), 0.25, random.Range(0.6, 1.3),
                random.Range(0.25, 0.6)),
        };
        float red = random.Symmetric(tint), green = random.Symmetric(tint), blue = random.Symmetric(tint);
        var lighting = new Lighting(gain * (1 + red), gain * (1 + green), gain * (1 + blue), contrast, shade,
            random.Range(0, 360));
        bool strong = gain < DarkGain || gain > BrightGain || new[] { red, green, blue }.Max(Math.Abs) > StrongTint
                      || shade > StrongShade || contrast < LowContrast;
        return (lighting, strong);
    }

    /// <summary>Walls, cars, bushes and trees standing in front of the scene.</summary>
    private static List<Occluder> Occluders(ViewStrength strength, int width, int height, SyntheticRandom random)
    {
        var (count, largest) = strength switch
        {
            ViewStrength.Mild => (random.Between(0, 1), 0.25),
            ViewStrength.Moderate => (random.Between(0, 2), 0.35),
            ViewStrength.Strong => (random.Between(1, 3), 0.5),
            _ => (random.Between(0, 2), 0.4),
        };
        var occluders = new List<Occluder>();
        for (int i = 0; i < count; i++)
        {
            var kind = random.Pick(Kinds);
            float w = random.Range(0.1, largest) * width;
            float h = kind switch
            {
                OccluderKind.Tree => w * random.Range(1.3, 2.2),
                OccluderKind.Blob => w * random.Range(0.5, 1),
                _ => random.Range(0.1, largest) * height,
            };
            float left = random.Range(-0.3 * w, width - 0.7 * w);
            // Trees and bushes stand on the ground; boxes (walls, signs, vehicles) may stand anywhere.
            float bottom = kind == OccluderKind.Box ? random.Range(h, 1.1 * height)
                : height + random.Range(0, 0.1 * height);
            var colour = kind == OccluderKind.Box
                ? SKColor.FromHsv(random.Range(0, 360), random.Range(0, 50), random.Range(20, 80))
                : SKColor.FromHsv(random.Range(80, 140), random.Range(40, 70), random.Range(25, 50));
            occluders.Add(new Occluder(kind, new SKRect(left, bottom - h, left + w, bottom), colour));
        }
        return occluders;
    }

    /// <summary>Small bright objects (people, signs) in the lower part of the image.</summary>
    private static IEnumerable<Occluder> Clutter(int width, int height, SyntheticRandom random)
    {
        int count = random.Between(2, 6), longSide = Math.Max(width, height);
        for (int i = 0; i < count; i++)
        {
            float w = random.Range(0.02, 0.06) * longSide, h = w * random.Range(1, 2.5);
            float left = random.Range(0, width - w), bottom = random.Range(0.6 * height, height + 0.2 * h);
            var colour = SKColor.FromHsv(random.Range(0, 360), random.Range(40, 90), random.Range(50, 95));
            yield return new Occluder(random.Chance(0.5) ? OccluderKind.Box : OccluderKind.Blob,
                new SKRect(left, bottom - h, left + w, bottom), colour);
        }
    }
}
