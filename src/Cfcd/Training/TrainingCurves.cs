using ScottPlot;
using SkiaSharp;

namespace Cfcd.Training;

/// <summary>
/// The training curves as one PNG (ScottPlot), drawn from metrics.csv: losses, accuracy (training top-1 per logged
/// window, validation top-1 / top-5 per epoch), MadaCos's scale, and its margin with the median target cosine.
/// </summary>
internal static class TrainingCurves
{
    private const int PanelWidth = 640, PanelHeight = 400;

    private sealed record Series(string Label, string Phase, string Column);

    private static readonly (string Title, Series[] Series)[] Panels =
    [
        ("loss", [
            new("loss", MetricsRow.TrainPhase, MetricsRow.Loss),
            new("MadaCos / CE", MetricsRow.TrainPhase, MetricsRow.ClassificationLoss),
            new("local triplet", MetricsRow.TrainPhase, MetricsRow.LocalLoss)]),
        ("accuracy (%)", [
            new("train top-1", MetricsRow.TrainPhase, MetricsRow.Top1),
            new("val top-1", MetricsRow.ValidationPhase, MetricsRow.Top1),
            new("val top-5", MetricsRow.ValidationPhase, MetricsRow.Top5)]),
        ("MadaCos scale", [new("scale", MetricsRow.TrainPhase, MetricsRow.Scale)]),
        ("MadaCos margin", [
            new("margin", MetricsRow.TrainPhase, MetricsRow.Margin),
            new("median target cosine", MetricsRow.TrainPhase, MetricsRow.MedianCosine)]),
    ];

    /// <summary>Draws the curves of <paramref name="rows"/> into <paramref name="path"/> (written atomically).
    /// </summary>
    public static void Write(IReadOnlyList<MetricsRow> rows, string path)
    {
        using var surface = SKSurface.Create(new SKImageInfo(2 * PanelWidth, 2 * PanelHeight));
        surface.Canvas.Clear(SKColors.White);
        for (int index = 0; index < Panels.Length; index++)
        {
            var (title, series) = Panels[index];
            var plot = new Plot();
            plot.Title(title);
            plot.XLabel("step");
            foreach (var line in series)
            {
                var points = rows.Where(row => row.Phase == line.Phase && row[line.Column] is not null).ToList();
                if (points.Count == 0)
                    continue;
                var scatter = plot.Add.Scatter(points.Select(row => (double)row.Step).ToArray(),
                    points.Select(row => row[line.Column]!.Value).ToArray());
                scatter.LegendText = line.Label;
                scatter.MarkerSize = line.Phase == MetricsRow.ValidationPhase ? 6 : 0;
            }
            plot.ShowLegend();
            using var panel = SKSurface.Create(new SKImageInfo(PanelWidth, PanelHeight));
            plot.Render(panel.Canvas, PanelWidth, PanelHeight);
            using var snapshot = panel.Snapshot();
            surface.Canvas.DrawImage(snapshot, index % 2 * PanelWidth, index / 2 * PanelHeight);
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        IO.AtomicFile.WriteAllBytes(path, png.ToArray());
    }
}
