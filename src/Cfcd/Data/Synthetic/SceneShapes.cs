using SkiaSharp;

namespace Cfcd.Data.Synthetic;

/// <summary>The outlines of a block's parts in scene units, shared by the renderer and the visibility
/// samples.</summary>
internal static class SceneShapes
{
    /// <summary>The roof above the body's top edge (a thin cornice for a flat roof).</summary>
    public static SKPath Roof(SceneBlock block)
    {
        var body = block.Body;
        float width = body.Width, height = block.RoofHeight, centre = body.MidX, top = body.Top;
        var path = new SKPath();
        switch (block.Roof)
        {
            case RoofKind.Flat:
                path.AddRect(new SKRect(body.Left - 1, top - height, body.Right + 1, top));
                break;
            case RoofKind.Gable:
                path.AddPoly([new SKPoint(body.Left - 1, top), new SKPoint(centre, top - height),
                    new SKPoint(body.Right + 1, top)]);
                break;
            case RoofKind.Dome:
                path.ArcTo(new SKRect(body.Left + 0.1f * width, top - height, body.Right - 0.1f * width, top + height),
                    180, 180, true);
                path.Close();
                break;
            case RoofKind.Spire:
                path.AddPoly([new SKPoint(centre - 0.3f * width, top), new SKPoint(centre, top - height),
                    new SKPoint(centre + 0.3f * width, top)]);
                break;
            case RoofKind.Stepped:
                path.AddRect(new SKRect(body.Left + 0.12f * width, top - height / 2, body.Right - 0.12f * width, top));
                path.AddRect(new SKRect(body.Left + 0.3f * width, top - height, body.Right - 0.3f * width,
                    top - height / 2));
                break;
        }
        return path;
    }

    /// <summary>The window rectangle of grid cell (row, column), or none where the door is.</summary>
    public static SKRect? Window(SceneBlock block, int row, int column)
    {
        var grid = block.Windows;
        var body = block.Body;
        float cellWidth = body.Width / grid.Columns, cellHeight = body.Height / grid.Rows;
        bool doorColumn = Math.Abs(column + 0.5f - grid.Columns / 2f) < 0.75f;
        if (block.HasDoor && row == grid.Rows - 1 && doorColumn)
            return null;
        float insetX = cellWidth * (1 - grid.Fill) / 2, insetY = cellHeight * (1 - grid.Fill) / 2;
        float left = body.Left + column * cellWidth, top = body.Top + row * cellHeight;
        return new SKRect(left + insetX, top + insetY, left + cellWidth - insetX, top + cellHeight - insetY);
    }

    /// <summary>The door at the bottom centre of a block that has one.</summary>
    public static SKRect Door(SceneBlock block)
    {
        var body = block.Body;
        float width = Math.Min(0.3f * body.Width, 12), height = Math.Min(0.4f * body.Height, 14);
        return new SKRect(body.MidX - width / 2, body.Bottom - height, body.MidX + width / 2, body.Bottom);
    }
}
