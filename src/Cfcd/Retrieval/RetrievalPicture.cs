using Cfcd.Data;
using Cfcd.IO;
using SkiaSharp;

namespace Cfcd.Retrieval;

/// <summary>How a retrieved database image counts for a query (the Medium setup's view: easy and hard are
/// positive).</summary>
public enum RetrievedLabel { Easy, Hard, Junk, Negative }

/// <summary>
/// A picture of what a model retrieves: one row per query, its crop first, then its top-k database images by
/// descriptor dot product, each framed by its ground-truth label (easy green, hard blue, junk grey, negative red).
/// </summary>
public static class RetrievalPicture
{
    private const int Cell = 150, Thumbnail = 128, Caption = 18, Border = 5;

    private static readonly Dictionary<RetrievedLabel, SKColor> Colours = new()
    {
        [RetrievedLabel.Easy] = new SKColor(0x2E, 0xA0, 0x43),
        [RetrievedLabel.Hard] = new SKColor(0x1F, 0x6F, 0xD1),
        [RetrievedLabel.Junk] = new SKColor(0x9A, 0x9A, 0x9A),
        [RetrievedLabel.Negative] = new SKColor(0xD1, 0x2F, 0x2F),
    };

    /// <summary>Draws the first <paramref name="shown"/> queries of the feature files with their top <paramref
    /// name="k"/> database images.</summary>
    public static void Draw(string path, RevisitedImages images, string queryFeatures, string databaseFeatures,
        int shown, int k)
    {
        var (queries, rows, dimension) = Npy.ReadMatrix(queryFeatures);
        shown = Math.Clamp(shown, 1, rows);
        using var database = new MappedNpyMatrix(databaseFeatures);
        var matches = TopMatches(queries.AsSpan(0, shown * dimension).ToArray(), dimension, database, k);
        Write(path, images, Enumerable.Range(0, shown).ToList(), matches);
    }

    /// <summary>The top <paramref name="k"/> database rows (best first) for each query row, by dot product.</summary>
    public static int[][] TopMatches(float[] queries, int dimension, IFeatureRows database, int k)
    {
        int queryCount = queries.Length / dimension;
        var best = Enumerable.Range(0, queryCount).Select(_ => new List<(float Score, int Index)>()).ToArray();
        const int Block = 4096;
        var rows = new float[Block * database.Columns];
        for (long first = 0; first < database.Rows; first += Block)
        {
            int count = (int)Math.Min(Block, database.Rows - first);
            database.ReadRows(first, count, rows);
            for (int q = 0; q < queryCount; q++)
            {
                var query = queries.AsSpan(q * dimension, dimension);
                for (int row = 0; row < count; row++)
                    best[q].Add((VectorMath.Dot(query, rows.AsSpan(row * dimension, dimension)), (int)(first + row)));
                // Keep the k best; ties keep database order, as the evaluation does.
                best[q] = best[q].OrderByDescending(match => match.Score).ThenBy(match => match.Index).Take(k).ToList();
            }
        }
        return best.Select(matches => matches.Select(match => match.Index).ToArray()).ToArray();
    }

    public static RetrievedLabel Label(QueryGroundTruth query, int index) =>
        query.Easy.Contains(index) ? RetrievedLabel.Easy
        : query.Hard.Contains(index) ? RetrievedLabel.Hard
        : query.Junk.Contains(index) ? RetrievedLabel.Junk
        : RetrievedLabel.Negative;

    /// <summary>Draws the queries <paramref name="shown"/> with their matches into a PNG (written
    /// atomically).</summary>
    public static void Write(string path, RevisitedImages images, IReadOnlyList<int> shown, int[][] matches)
    {
        int columns = 1 + matches.Max(row => row.Length);
        using var surface = SKSurface.Create(new SKImageInfo(columns * Cell, shown.Count * (Cell + Caption)));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 13);
        using var reader = new ImageReader();
        for (int row = 0; row < shown.Count; row++)
        {
            int query = shown[row];
            float top = row * (Cell + Caption);
            DrawCell(canvas, reader, images.QueryPath(query), images.QueryBox(query), 0, top, SKColors.Black,
                $"query {query}", font);
            for (int rank = 0; rank < matches[row].Length; rank++)
            {
                int index = matches[row][rank];
                var label = Label(images.GroundTruth.Queries[query], index);
                DrawCell(canvas, reader, images.DatabasePath(index), null, (rank + 1) * Cell, top, Colours[label],
                    $"#{rank + 1} {label.ToString().ToLowerInvariant()}", font);
            }
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.ToArray());
    }

    private static unsafe void DrawCell(SKCanvas canvas, ImageReader reader, string imagePath,
        IReadOnlyList<double>? box, float left, float top,
        SKColor frame, string caption, SKFont font)
    {
        using var paint = new SKPaint { Color = frame, IsAntialias = true };
        canvas.DrawRect(left + 4, top + 4, Cell - 8, Cell - 8, paint);
        try
        {
            using var image = ImageReader.Open(imagePath);
            var (width, height) = image.Size;
            var crop = box is null ? CropBox.Whole(width, height) : CropBox.FromBbx(box, width, height);
            var pixels = reader.Decode(image, Math.Min(1.0, Thumbnail / Math.Max(crop.Width, crop.Height)));
            using var bitmap = new SKBitmap();
            bitmap.InstallPixels(new SKImageInfo(pixels.Width, pixels.Height, SKColorType.Rgba8888,
                SKAlphaType.Unpremul), (IntPtr)pixels.Pixels, pixels.Stride);
            var source = new SKRect((float)(crop.X * pixels.Scale), (float)(crop.Y * pixels.Scale),
                (float)((crop.X + crop.Width) * pixels.Scale), (float)((crop.Y + crop.Height) * pixels.Scale));
            float fit = (float)(Thumbnail / Math.Max(crop.Width, crop.Height));
            float drawnWidth = (float)(crop.Width * fit), drawnHeight = (float)(crop.Height * fit);
            var target =
                SKRect.Create(left + (Cell - drawnWidth) / 2, top + (Cell - drawnHeight) / 2, drawnWidth, drawnHeight);
            using var sampled = SKImage.FromBitmap(bitmap);
            canvas.DrawImage(sampled, source, target, new SKSamplingOptions(SKFilterMode.Linear));
        }
        catch (InputException)
        {
            using var text = new SKPaint { Color = SKColors.White };
            canvas.DrawText("unreadable", left + 20, top + Cell / 2, font, text);
        }
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(caption, left + Border, top + Cell + 13, font, ink);
    }
}
