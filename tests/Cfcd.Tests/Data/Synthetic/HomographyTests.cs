using Cfcd.Data.Synthetic;
using SkiaSharp;

namespace Cfcd.Tests.Data.Synthetic;

public class HomographyTests
{
    private static readonly SKRect Rect = new(10, 20, 70, 60);
    private static readonly SKPoint[] Quad = [new(3, 5), new(120, 12), new(110, 90), new(-4, 80)];

    [Fact]
    public void RectToQuadSendsTheCornersToTheQuadAndTheInverseBringsThemBack()
    {
        var camera = Homography.RectToQuad(Rect, Quad);
        var inverse = camera.Inverse();
        SKPoint[] corners = [new(Rect.Left, Rect.Top), new(Rect.Right, Rect.Top), new(Rect.Right, Rect.Bottom),
            new(Rect.Left, Rect.Bottom)];
        for (int i = 0; i < 4; i++)
        {
            Assert.True(camera.TryMap(corners[i].X, corners[i].Y, out double x, out double y));
            Assert.Equal(Quad[i].X, x, 9);
            Assert.Equal(Quad[i].Y, y, 9);
            Assert.True(inverse.TryMap(x, y, out double backX, out double backY));
            Assert.Equal(corners[i].X, backX, 9);
            Assert.Equal(corners[i].Y, backY, 9);
        }
    }

    [Fact]
    public void TheSkiaMatrixMapsLikeTheHomography()
    {
        var camera = Homography.RectToQuad(Rect, Quad);
        var matrix = camera.ToSKMatrix();
        Assert.True(camera.TryMap(40, 33, out double x, out double y));
        var mapped = matrix.MapPoint(40, 33);
        Assert.Equal(x, mapped.X, 3);
        Assert.Equal(y, mapped.Y, 3);
    }
}
