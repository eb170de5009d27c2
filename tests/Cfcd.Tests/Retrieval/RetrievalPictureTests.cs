using Cfcd.IO;
using Cfcd.Retrieval;
using Cfcd.Tests.IO;

namespace Cfcd.Tests.Retrieval;

public class RetrievalPictureTests
{
    [Fact]
    public void TopMatchesAreTheLargestDotProductsWithTiesInDatabaseOrder()
    {
        // Database rows along the axes and one duplicate of row 1; the query leans towards axis 1, then axis 0.
        float[] database = [1, 0, 0, 1, 0, 0, 0, 1, 0.6f, 0.8f];
        var rows = new InMemoryFeatureRows("db", database, 2);
        var top = RetrievalPicture.TopMatches([0.6f, 0.8f, 1, 0], 2, rows, k: 3);
        Assert.Equal([4, 1, 3], top[0]);
        Assert.Equal([0, 4, 1], top[1]);
    }

    [Fact]
    public void RetrievedImagesAreLabelledByTheGroundTruth()
    {
        var query = new QueryGroundTruth([0, 0, 1, 1], Easy: [3], Hard: [5], Junk: [7]);
        Assert.Equal([RetrievedLabel.Easy, RetrievedLabel.Hard, RetrievedLabel.Junk, RetrievedLabel.Negative],
            new[] { 3, 5, 7, 8 }.Select(index => RetrievalPicture.Label(query, index)));
    }
}
