using SkiaSharp;

namespace Cfcd.Data.Synthetic;

/// <summary>
/// Draws a view of a scene with SkiaSharp and encodes it as JPEG: the scene through the view's camera (a
/// perspective matrix), the occluders in image space, all under the view's colour change, then its shadow.
/// Raster drawing and encoding are deterministic, so the same scene and view give the same bytes.
/// </summary>
internal static class ViewRenderer
{
    public const int JpegQuality = 90;

    public static byte[] RenderJpeg(Scene scene, ViewSpec view)
    {
        using var surface =
            SKSurface.Create(new SKImageInfo(view.Width, view.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        Draw(surface.Canvas, scene, view);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, JpegQuality);
        return data.ToArray();
    }

    private static void Draw(SKCanvas canvas, Scene scene, ViewSpec view)
    {
        using (var lighting = LightingFilter(view.Lighting))
        using (var layer = new SKPaint { ColorFilter = lighting })
        {
            canvas.SaveLayer(layer);
            canvas.DrawColor(scene.SkyBottom);
            var camera = view.Camera.ToSKMatrix();
            canvas.SetMatrix(camera);
            DrawBackground(canvas, scene, VisibleRegion(view));
            foreach (var block in scene.Blocks)
                DrawBlock(canvas, scene.Texture, block);
            if (scene.Emblem is { } emblem)
                DrawEmblem(canvas, emblem);
            canvas.ResetMatrix();
            foreach (var occluder in view.Occluders)
                DrawOccluder(canvas, occluder);
            canvas.Restore();
        }
        DrawShade(canvas, view);
    }

    /// <summary>Per channel: contrast * (gain * value - 1/2) + 1/2, on values in 0..1.</summary>
    private static SKColorFilter LightingFilter(Lighting light)
    {
        float k = light.Contrast, offset = 0.5f * (1 - k);
        return SKColorFilter.CreateColorMatrix([
            k * light.RedGain, 0, 0, 0, offset,
            0, k * light.GreenGain, 0, 0, offset,
            0, 0, k * light.BlueGain, 0, offset,
            0, 0, 0, 1, 0]);
    }

    /// <summary>The part of the scene plane the image shows (what the background must cover), in scene units.</summary>
    private static SKRect VisibleRegion(ViewSpec view)
    {
        const float margin = 10;
        var inverse = view.Camera.Inverse();
        float left = float.MaxValue, top = float.MaxValue, right = float.MinValue, bottom = float.MinValue;
        foreach (var (cornerX, cornerY) in new[] { (0, 0), (view.Width, 0), (view.Width, view.Height),
            (0, view.Height) })
        {
            if (!inverse.TryMap(cornerX, cornerY, out double x, out double y))
                return new SKRect(-500, -500, 600, 600);
            (left, top, right, bottom) = (Math.Min(left, (float)x), Math.Min(top, (float)y), Math.Max(right, (float)x),
                Math.Max(bottom, (float)y));
        }
        return new SKRect(left - margin, top - margin, right + margin, bottom + margin);
    }

    private static void DrawBackground(SKCanvas canvas, Scene scene, SKRect region)
    {
        float ground = scene.GroundLevel;
        using (var sky = SKShader.CreateLinearGradient(new SKPoint(0, ground - 80), new SKPoint(0, ground),
            [scene.SkyTop, scene.SkyBottom], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = sky })
            canvas.DrawRect(new SKRect(region.Left, region.Top, region.Right, ground), paint);

        using (var hills = new SKPath())
        using (var paint = new SKPaint { Color = scene.HillColor, IsAntialias = true })
        {
            hills.MoveTo(scene.HillOutline[0].X, ground);
            foreach (var point in scene.HillOutline)
                hills.LineTo(point);
            hills.LineTo(scene.HillOutline[^1].X, ground);
            hills.Close();
            canvas.DrawPath(hills, paint);
        }

        var land = new SKRect(region.Left, ground, region.Right, Math.Max(region.Bottom, ground + 1));
        using (var paint = new SKPaint { Color = scene.Ground })
            canvas.DrawRect(land, paint);
        DrawNoise(canvas, land, scene.Texture.Frequency * 1.5f, scene.Texture.Seed + 1, 0.3f);
    }

    private static void DrawBlock(SKCanvas canvas, WallTexture texture, SceneBlock block)
    {
        var body = block.Body;
        using (var wall = new SKPaint { Color = block.Wall, IsAntialias = true })
            canvas.DrawRect(body, wall);
        if (texture.BandPeriod > 0)
        {
            using var bands =
                SKShader.CreateLinearGradient(new SKPoint(0, body.Top), new SKPoint(0, body.Top + texture.BandPeriod),
                [SKColors.Transparent, SKColors.Transparent, texture.BandColor, texture.BandColor],
                    [0, 0.75f, 0.75f, 1], SKShaderTileMode.Repeat);
            using var paint = new SKPaint { Shader = bands };
            canvas.DrawRect(body, paint);
        }
        DrawNoise(canvas, body, texture.Frequency, texture.Seed, texture.Strength);

        using (var window = new SKPaint { Color = block.Windows.Color, IsAntialias = true })
        {
            for (int row = 0; row < block.Windows.Rows; row++)
            {
                for (int column = 0; column < block.Windows.Columns; column++)
                {
                    if (SceneShapes.Window(block, row, column) is not { } rect)
                        continue;
                    switch (block.Windows.Shape)
                    {
                        case WindowShape.Rectangle: canvas.DrawRect(rect, window); break;
                        case WindowShape.Rounded: canvas.DrawRoundRect(rect, rect.Width / 2, rect.Width / 2,
                            window); break;
                        default: canvas.DrawOval(rect, window); break;
                    }
                }
            }
        }
        if (block.HasDoor)
        {
            var door = SceneShapes.Door(block);
            using var paint = new SKPaint { Color = Darker(block.Wall, 0.35f), IsAntialias = true };
            canvas.DrawRoundRect(door, door.Width / 2, door.Width / 2, paint);
        }
        using var roof = SceneShapes.Roof(block);
        using var roofPaint = new SKPaint { Color = block.RoofColor, IsAntialias = true };
        canvas.DrawPath(roof, roofPaint);
    }

    /// <summary>Grey fractal noise laid over a surface (overlay blending: lighter and darker patches), fixed to the
    /// scene.</summary>
    private static void DrawNoise(SKCanvas canvas, SKRect rect, float frequency, float seed, float strength)
    {
        using var noise = SKShader.CreatePerlinNoiseFractalNoise(frequency, frequency, 2, seed);
        using var grey =
            SKColorFilter.CreateColorMatrix([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, strength]);
        using var paint = new SKPaint { Shader = noise, ColorFilter = grey, BlendMode = SKBlendMode.Overlay };
        canvas.DrawRect(rect, paint);
    }

    private static void DrawEmblem(SKCanvas canvas, Emblem emblem)
    {
        using var outer = new SKPaint { Color = emblem.Outer, IsAntialias = true };
        using var inner = new SKPaint { Color = emblem.Inner, IsAntialias = true };
        using var spoke = new SKPaint
        {
            Color = emblem.Outer, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 0.12f * emblem.Radius,
        };
        canvas.DrawCircle(emblem.Centre, emblem.Radius, outer);
        canvas.DrawCircle(emblem.Centre, 0.75f * emblem.Radius, inner);
        for (int i = 0; i < emblem.Spokes; i++)
        {
            double angle = 2 * Math.PI * i / emblem.Spokes;
            var end = new SKPoint(emblem.Centre.X + 0.75f * emblem.Radius * (float)Math.Cos(angle),
                emblem.Centre.Y + 0.75f * emblem.Radius * (float)Math.Sin(angle));
            canvas.DrawLine(emblem.Centre, end, spoke);
        }
        canvas.DrawCircle(emblem.Centre, 0.2f * emblem.Radius, outer);
    }

    private static void DrawOccluder(SKCanvas canvas, Occluder occluder)
    {
        using var paint = new SKPaint { Color = occluder.Color, IsAntialias = true };
        switch (occluder.Kind)
        {
            case OccluderKind.Box:
                canvas.DrawRect(occluder.Bounds, paint);
                break;
            case OccluderKind.Blob:
                canvas.DrawOval(occluder.Bounds, paint);
                break;
            default:
                using (var trunk = new SKPaint { Color = new SKColor(92, 64, 40), IsAntialias = true })
                    canvas.DrawRect(occluder.TreeTrunk, trunk);
                canvas.DrawOval(occluder.TreeCrown, paint);
                break;
        }
    }

    /// <summary>A shadow across the image: transparent on one side, darkest on the other.</summary>
    private static void DrawShade(SKCanvas canvas, ViewSpec view)
    {
        var light = view.Lighting;
        if (light.ShadeStrength <= 0)
            return;
        double angle = light.ShadeAngle * Math.PI / 180,
            reach = 0.5 * Math.Sqrt(view.Width * view.Width + view.Height * view.Height);
        float dx = (float)(Math.Cos(angle) * reach), dy = (float)(Math.Sin(angle) * reach), cx = view.Width / 2f,
            cy = view.Height / 2f;
        var dark = new SKColor(0, 0, 0, (byte)Math.Round(255 * Math.Clamp(light.ShadeStrength, 0, 1)));
        using var shader = SKShader.CreateLinearGradient(new SKPoint(cx - dx, cy - dy), new SKPoint(cx + dx, cy + dy),
            [SKColors.Transparent, dark], SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader };
        canvas.DrawPaint(paint);
    }

    private static SKColor Darker(SKColor colour, float factor) =>
        new((byte)(colour.Red * factor), (byte)(colour.Green * factor), (byte)(colour.Blue * factor));
}
