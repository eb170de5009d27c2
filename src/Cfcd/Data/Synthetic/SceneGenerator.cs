using SkiaSharp;

namespace Cfcd.Data.Synthetic;

/// <summary>
/// Draws a landmark scene from a generator: one of four layouts (cathedral, tower with annex, row of houses,
/// palace) with random proportions, roofs, window grids, palette, wall texture, sky, hills and ground. Scenes
/// from different generators differ in layout and colour, which is what makes small crops of them learnable.
/// </summary>
internal static class SceneGenerator
{
    private const float HighestTop = 6; // scene units below the top edge of the scene
    private const int SampleGrid = 48;

    private static readonly RoofKind[] AnyRoof =
        [RoofKind.Flat, RoofKind.Gable, RoofKind.Dome, RoofKind.Spire, RoofKind.Stepped];
    private static readonly RoofKind[] TallRoof = [RoofKind.Gable, RoofKind.Dome, RoofKind.Spire, RoofKind.Stepped];
    private static readonly RoofKind[] LowRoof = [RoofKind.Flat, RoofKind.Gable];
    private static readonly WindowShape[] Shapes = [WindowShape.Rectangle, WindowShape.Rounded, WindowShape.Round];

    private sealed record Style(float WallHue, float WallSaturation, float WallValue, SKColor RoofColor,
        WindowShape WindowShape,
        SKColor WindowColor, float WindowFill, float CellWidth, float CellHeight);

    public static Scene Generate(SyntheticRandom random)
    {
        float groundLevel = random.Range(74, 84);
        var (skyTop, skyBottom) = Sky(random);
        var (ground, hills) = GroundColours(random);
        var style = NewStyle(random);
        var bodies = Layout(random, groundLevel);
        int main = MainBlock(bodies);
        var blocks = bodies.Select((body, index) => Block(random, style, body.Rect, body.Roof, index == main)).ToList();
        var emblem = Emblem(random, blocks[main], style);
        var texture = new WallTexture(random.Range(0.08, 0.35), random.Between(0, 999), random.Range(0.15, 0.4),
            random.Chance(0.5) ? random.Range(2.5, 6) : 0,
                Hsv(style.WallHue, style.WallSaturation, style.WallValue * 0.7f));
        var hillOutline = new List<SKPoint>();
        for (float x = -100; x <= 200; x += random.Range(12, 25))
            hillOutline.Add(new SKPoint(x, groundLevel - random.Range(3, 22)));
        var (bounds, samples) = Samples(blocks);
        return new Scene(skyTop, skyBottom, hills, hillOutline, ground, groundLevel, blocks, emblem, texture, bounds,
            samples);
    }

    private static SKColor Hsv(float hue, float saturation, float value) =>
        SKColor.FromHsv(((hue % 360) + 360) % 360, Math.Clamp(saturation, 0, 1) * 100, Math.Clamp(value, 0, 1) * 100);

    private static (SKColor Top, SKColor Bottom) Sky(SyntheticRandom random) => random.Weighted(0.6, 0.2, 0.2) switch
    {
        0 => (Hsv(random.Range(195, 225), random.Range(0.45, 0.7), random.Range(0.65, 0.9)),
            Hsv(random.Range(195, 225), random.Range(0.15, 0.3), random.Range(0.85, 0.98))),
        1 => (Hsv(random.Range(230, 260), random.Range(0.3, 0.6), random.Range(0.4, 0.6)),
            Hsv(random.Range(15, 40), random.Range(0.4, 0.6), random.Range(0.85, 0.98))),
        _ => (Hsv(random.Range(0, 360), random.Range(0, 0.08), random.Range(0.55, 0.75)),
            Hsv(random.Range(0, 360), random.Range(0, 0.08), random.Range(0.75, 0.9))),
    };

    private static (SKColor Ground, SKColor Hills) GroundColours(SyntheticRandom random)
    {
        var (hue, saturation, value) = random.Weighted(0.45, 0.3, 0.25) switch
        {
            0 => (random.Range(80, 130), random.Range(0.3, 0.6), random.Range(0.3, 0.55)),
            1 => (random.Range(30, 45), random.Range(0.3, 0.5), random.Range(0.55, 0.75)),
            _ => (random.Range(0, 360), random.Range(0, 0.1), random.Range(0.4, 0.65)),
        };
        return (Hsv(hue, saturation, value),
            Hsv(hue + random.Symmetric(20), saturation * 0.6f, random.Range(0.45, 0.7)));
    }

    private static Style NewStyle(SyntheticRandom random)
    {
        float wallHue = random.Range(0, 360);
        var roof = random.Chance(0.3)
            ? Hsv(random.Range(200, 240), random.Range(0.05, 0.2), random.Range(0.2, 0.4))
            : Hsv(wallHue + random.Range(90, 270), random.Range(0.2, 0.7), random.Range(0.3, 0.7));
        var window = random.Weighted(0.5, 0.3, 0.2) switch
        {
            0 => Hsv(random.Range(0, 360), random.Range(0, 0.3), random.Range(0.08, 0.3)),
            1 => Hsv(random.Range(190, 220), random.Range(0.3, 0.6), random.Range(0.4, 0.7)),
            _ => Hsv(random.Range(35, 55), random.Range(0.4, 0.7), random.Range(0.8, 1)),
        };
        return new Style(wallHue, random.Range(0.1, 0.55), random.Range(0.5, 0.92), roof, random.Pick(Shapes), window,
            random.Range(0.35, 0.65), random.Range(4, 8), random.Range(5, 9));
    }

    /// <summary>Block bodies side by side on the ground, left to right, and their roof kinds.</summary>
    private static List<(SKRect Rect, RoofKind Roof)> Layout(SyntheticRandom random, float groundLevel)
    {
        float width = random.Range(40, 68);
        var parts = new List<(float Width, float Height, RoofKind Roof)>();
        switch (random.Next(4))
        {
            case 0: // cathedral: a tall centre between two lower sides
                float centre = width * random.Range(0.3, 0.45), centreHeight = random.Range(30, 48),
                    sideHeight = centreHeight * random.Range(0.45, 0.7);
                var sideRoof = random.Pick(LowRoof);
                parts.Add(((width - centre) / 2, sideHeight, sideRoof));
                parts.Add((centre, centreHeight, random.Pick(TallRoof)));
                parts.Add(((width - centre) / 2, sideHeight, sideRoof));
                break;
            case 1: // tower with an annex on one side
                float tower = width * random.Range(0.22, 0.32);
                var towerPart = (tower, random.Range(40, 55), random.Pick(TallRoof));
                var annex = (width - tower, random.Range(14, 24), random.Pick(LowRoof));
                parts.AddRange(random.Chance(0.5) ? [towerPart, annex] : [annex, towerPart]);
                break;
            case 2: // a row of houses
                int count = random.Between(2, 5);
                var shares = Enumerable.Range(0, count).Select(_ => random.Range(0.6, 1.4)).ToArray();
                foreach (float share in shares)
                    parts.Add((width * share / shares.Sum(), random.Range(15, 40), random.Pick(AnyRoof)));
                break;
            default: // palace: end pavilions, wings and a domed centre
                float wingHeight = random.Range(18, 28), pavilion = width * random.Range(0.1, 0.15),
                    middle = width * random.Range(0.2, 0.3);
                float wing = (width - 2 * pavilion - middle) / 2, pavilionHeight = wingHeight * random.Range(1.1, 1.35);
                var pavilionRoof = random.Pick([RoofKind.Stepped, RoofKind.Flat, RoofKind.Gable]);
                parts.AddRange([(pavilion, pavilionHeight, pavilionRoof), (wing, wingHeight, RoofKind.Flat),
                    (middle, wingHeight * random.Range(1.3, 1.7), RoofKind.Dome), (wing, wingHeight, RoofKind.Flat),
                        (pavilion, pavilionHeight, pavilionRoof)]);
                break;
        }
        float left = 50 + random.Symmetric(4) - width / 2;
        var blocks = new List<(SKRect, RoofKind)>();
        foreach (var (partWidth, partHeight, roof) in parts)
        {
            float height = Math.Min(partHeight, groundLevel - HighestTop - RoofHeightLimit(roof, partWidth));
            blocks.Add((new SKRect(left, groundLevel - height, left + partWidth, groundLevel), roof));
            left += partWidth;
        }
        return blocks;
    }

    private static float RoofHeightLimit(RoofKind roof, float width) => roof switch
    {
        RoofKind.Flat => 1.5f,
        RoofKind.Gable => 0.5f * width,
        RoofKind.Dome => 0.45f * width,
        RoofKind.Spire => 25,
        _ => 12,
    };

    /// <summary>The tallest body: it gets the door and the emblem.</summary>
    private static int MainBlock(List<(SKRect Rect, RoofKind Roof)> bodies) =>
        bodies.Select((body, index) => (body.Rect.Height, index)).Max().index;

    private static SceneBlock Block(SyntheticRandom random, Style style, SKRect body, RoofKind roof, bool main)
    {
        float limit = RoofHeightLimit(roof, body.Width);
        float roofHeight = roof switch
        {
            RoofKind.Flat => limit,
            RoofKind.Spire => random.Range(12, limit),
            RoofKind.Stepped => random.Range(6, limit),
            _ => limit * random.Range(0.55, 1),
        };
        var wall = Hsv(style.WallHue + random.Symmetric(15), style.WallSaturation * random.Range(0.8, 1.2),
            style.WallValue * random.Range(0.85, 1.1));
        var windows = new WindowGrid(Math.Max(1, (int)MathF.Round(body.Height / style.CellHeight)),
            Math.Max(1, (int)MathF.Round(body.Width / style.CellWidth)),
            style.WindowShape, style.WindowColor, style.WindowFill);
        return new SceneBlock(body, wall, roof, roofHeight, style.RoofColor, windows, main || random.Chance(0.3));
    }

    private static Emblem? Emblem(SyntheticRandom random, SceneBlock main, Style style)
    {
        var body = main.Body;
        if (body.Width < 12 || !random.Chance(0.55))
            return null;
        float radius = Math.Min(0.28f * body.Width, 0.2f * body.Height);
        var centre = new SKPoint(body.MidX, body.Top + radius * random.Range(1.2, 1.6));
        var inner = Hsv(style.WallHue + 180, random.Range(0.3, 0.8), random.Range(0.6, 1));
        return new Emblem(centre, radius, style.RoofColor, inner, random.Pick([0, 6, 8, 12]));
    }

    /// <summary>The structure's bounds and a grid of points inside its blocks.</summary>
    private static (SKRect Bounds, List<SKPoint> Samples) Samples(IReadOnlyList<SceneBlock> blocks)
    {
        var roofs = blocks.Select(SceneShapes.Roof).ToList();
        try
        {
            var bounds = blocks[0].Body;
            foreach (var (block, roof) in blocks.Zip(roofs))
            {
                bounds.Union(block.Body);
                bounds.Union(roof.Bounds);
            }
            var samples = new List<SKPoint>();
            for (int row = 0; row < SampleGrid; row++)
            {
                for (int column = 0; column < SampleGrid; column++)
                {
                    float x = bounds.Left + (column + 0.5f) * bounds.Width / SampleGrid,
                        y = bounds.Top + (row + 0.5f) * bounds.Height / SampleGrid;
                    if (blocks.Zip(roofs).Any(pair => pair.First.Body.Contains(x, y) || pair.Second.Contains(x, y)))
                        samples.Add(new SKPoint(x, y));
                }
            }
            return (bounds, samples);
        }
        finally
        {
            roofs.ForEach(roof => roof.Dispose());
        }
    }
}
