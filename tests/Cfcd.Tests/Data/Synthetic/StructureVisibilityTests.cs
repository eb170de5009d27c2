using Cfcd.Data.Synthetic;
using SkiaSharp;

namespace Cfcd.Tests.Data.Synthetic;

public class StructureVisibilityTests
{
    private const int Side = 100;
    private static readonly Scene Scene = SceneGenerator.Generate(SyntheticRandom.For(5, RandomStream.TestScene, 0, 0));

    /// <summary>A frontal view of a 100 x 100 image framing the given scene rectangle.</summary>
    private static ViewSpec Frontal(SKRect framing, params Occluder[] occluders) =>
        new(Side, Side, Homography.RectToQuad(framing, [new(0, 0), new(Side, 0), new(Side, Side), new(0, Side)]),
            Lighting.Neutral, occluders, false);

    private static SKRect Square(float centreX, float centreY, float side) =>
        new(centreX - side / 2, centreY - side / 2, centreX + side / 2, centreY + side / 2);

    private static SKRect Around(SKRect bounds) =>
        Square(bounds.MidX, bounds.MidY, 1.2f * Math.Max(bounds.Width, bounds.Height));

    [Fact]
    public void AFramingAroundTheStructureShowsAllOfItAndBoxesIt()
    {
        var bounds = Scene.StructureBounds;
        var view = Frontal(Around(bounds));
        Assert.Equal(1.0, StructureVisibility.VisibleFraction(Scene, view));
        var box = StructureVisibility.StructureBox(Scene, view);
        float scale = Side / Around(bounds).Width;
        Assert.Equal(Side / 2f - scale * bounds.Width / 2, box.Left, 0.5f);
        Assert.Equal(Side / 2f + scale * bounds.Width / 2, box.Right, 0.5f);
        Assert.True(box.Top >= 0 && box.Bottom <= Side && box.Left >= 0 && box.Right <= Side);
    }

    [Fact]
    public void HalfOutOfFrameShowsTheSamplesOnTheVisibleSide()
    {
        var bounds = Scene.StructureBounds;
        var framing = Around(bounds);
        framing.Offset(bounds.MidX - framing.Left, 0); // the framing's left edge now at the structure's middle
        double expected =
            Scene.StructureSamples.Count(point => point.X >= bounds.MidX) / (double)Scene.StructureSamples.Count;
        Assert.Equal(expected, StructureVisibility.VisibleFraction(Scene, Frontal(framing)), 2);
        Assert.InRange(expected, 0.2, 0.8);
        var box = StructureVisibility.StructureBox(Scene, Frontal(framing));
        Assert.Equal(0, box.Left);
    }

    [Fact]
    public void AnOccluderOverTheWholeImageOrAFramingBesideTheStructureShowsNothing()
    {
        var bounds = Scene.StructureBounds;
        var wall = new Occluder(OccluderKind.Box, new SKRect(-1, -1, Side + 1, Side + 1), SKColors.Gray);
        Assert.Equal(0.0, StructureVisibility.VisibleFraction(Scene, Frontal(Around(bounds), wall)));
        var beside = Square(bounds.Right + 30, bounds.MidY, 40);
        Assert.Equal(0.0, StructureVisibility.VisibleFraction(Scene, Frontal(beside)));
    }

    [Fact]
    public void ATreeCoversItsCrownAndTrunkOnly()
    {
        var tree = new Occluder(OccluderKind.Tree, new SKRect(0, 0, 100, 200), SKColors.Green);
        Assert.True(tree.Covers(50, 60));   // crown
        Assert.True(tree.Covers(50, 190));  // trunk
        Assert.False(tree.Covers(5, 190));  // beside the trunk
        Assert.False(tree.Covers(2, 2));    // outside the crown's ellipse
    }

    [Theory]
    [InlineData(0.0, false, ViewLabel.Junk)]
    [InlineData(0.24, false, ViewLabel.Junk)]
    [InlineData(0.25, false, ViewLabel.Hard)]
    [InlineData(0.69, false, ViewLabel.Hard)]
    [InlineData(0.7, false, ViewLabel.Easy)]
    [InlineData(1.0, false, ViewLabel.Easy)]
    [InlineData(1.0, true, ViewLabel.Hard)]
    [InlineData(0.1, true, ViewLabel.Junk)]
    public void LabelsFollowTheVisibleShareAndTheStrengthOfTheChange(double visible, bool strongChange,
        ViewLabel expected)
    {
        Assert.Equal(expected, ViewLabels.Classify(visible, strongChange));
    }

    [Fact]
    public void ScenesHaveAStructureOnTheGroundWithSamplesInside()
    {
        for (int index = 0; index < 40; index++)
        {
            var scene = SceneGenerator.Generate(SyntheticRandom.For(1, RandomStream.DistractorScene, index, 0));
            var bounds = scene.StructureBounds;
            Assert.True(scene.StructureSamples.Count > 300,
                $"scene {index} has {scene.StructureSamples.Count} samples");
            Assert.All(scene.StructureSamples, point => Assert.True(bounds.Contains(point)));
            Assert.InRange(bounds.Top, 5, scene.GroundLevel - 10);
            Assert.Equal(scene.GroundLevel, bounds.Bottom, 3);
            Assert.All(scene.Blocks, block => Assert.Equal(scene.GroundLevel, block.Body.Bottom, 3));
        }
    }
}
