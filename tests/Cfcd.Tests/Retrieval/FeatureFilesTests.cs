using Cfcd.Data;
using Cfcd.Retrieval;
using Cfcd.Tests.Cli;

namespace Cfcd.Tests.Retrieval;

public class FeatureFilesTests(SmallRevisitedSet synth) : IClassFixture<SmallRevisitedSet>
{
    [Fact]
    public void ADataSetIsItsCroppedQueriesAndItsDatabaseInGroundTruthOrder()
    {
        var parts = FeatureFiles.OfDataset(synth.Root, "synth", "features");
        Assert.Equal([Path.Combine("features", "synth_query.npy"), Path.Combine("features", "synth_db.npy")],
            parts.Select(part => part.Path));
        Assert.Equal([FeatureFiles.Queries("features", "synth"), FeatureFiles.Database("features", "synth")],
            parts.Select(part => part.Path));
        var images = RevisitedImages.Load(synth.Root, "synth");
        Assert.Equal(images.QueryPath(2), parts[0].Items[2].Path);
        Assert.Equal(images.QueryBox(2), parts[0].Items[2].Box!);
        Assert.Equal(new ExtractionItem(images.DatabasePath(17)), parts[1].Items[17]);
        Assert.Equal((4, 23), (parts[0].Items.Count, parts[1].Items.Count));
    }

    [Fact]
    public void AnImageListIsOneFileOfItsImages()
    {
        string list = TestPaths.Fixture("Modeling", "images.txt");
        var part = Assert.Single(FeatureFiles.OfImageList(list, "out.npy"));
        Assert.Equal("out.npy", part.Path);
        Assert.Equal(ImageList.Read(list), part.Items.Select(item => item.Path));
        Assert.All(part.Items, item => Assert.Null(item.Box));
    }
}
