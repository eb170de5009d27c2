using Cfcd.IO;
using Cfcd.Retrieval;

namespace Cfcd.Tests.Retrieval;

public class GroundTruthTests
{
    [Theory]
    [InlineData("roxford5k", "ba7967754bd2d7d2210a5799f9c45ad5835e269a80ef9d3eba44caa35816c471")]
    [InlineData("rparis6k", "d2e729a5293dda7dda8a15c8383424a42e4964a2c4cfea2f32fa85d11d2df499")]
    public void TheKeptOfficialFilesAreUnchanged(string dataset, string sha256)
    {
        using var file = File.OpenRead(TestPaths.RevisitopGroundTruth(dataset));
        Assert.Equal(sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)));
    }

    [Fact]
    public void OfficialRoxfordLoads()
    {
        var gnd = GroundTruth.Load(TestPaths.RevisitopGroundTruth("roxford5k"));
        Assert.Equal(70, gnd.QueryNames.Count);
        Assert.Equal(70, gnd.Queries.Count);
        Assert.Equal(4993, gnd.DatabaseNames.Count);
        Assert.Equal([11, 66], Enumerable.Range(0, 70).Where(q => gnd.Queries[q].Easy.Length == 0));
        Assert.All(gnd.Queries, query => Assert.Equal(4, query.Bbx.Length));
        Assert.All(gnd.Queries,
            query => Assert.Empty(query.Easy.Intersect(query.Hard).Concat(query.Easy.Intersect(query.Junk))));
    }

    [Fact]
    public void OfficialRparisLoads()
    {
        var gnd = GroundTruth.Load(TestPaths.RevisitopGroundTruth("rparis6k"));
        Assert.Equal(70, gnd.Queries.Count);
        Assert.Equal(6322, gnd.DatabaseNames.Count);
        Assert.Equal([25, 26, 27, 28, 29], Enumerable.Range(0, 70).Where(q => gnd.Queries[q].Junk.Length == 0));
    }

    [Fact]
    public void WrittenGroundTruthReadsBackEqual()
    {
        var gnd = GroundTruth.Load(TestPaths.RevisitopGroundTruth("roxford5k"));
        var back = GroundTruth.FromPickle(PickleReader.Load(PickleWriter.Dump(gnd.ToPickle()), "w.pkl"), "w.pkl");
        Assert.Equal(gnd.QueryNames, back.QueryNames);
        Assert.Equal(gnd.DatabaseNames, back.DatabaseNames);
        for (int q = 0; q < 70; q++)
        {
            Assert.Equal(gnd.Queries[q].Bbx, back.Queries[q].Bbx);
            Assert.Equal(gnd.Queries[q].Easy, back.Queries[q].Easy);
            Assert.Equal(gnd.Queries[q].Hard, back.Queries[q].Hard);
            Assert.Equal(gnd.Queries[q].Junk, back.Queries[q].Junk);
        }
    }

    [Fact]
    public void ForeignPicklesAreRefusedClearly()
    {
        var list = new List<object?> { 1L };
        Assert.Equal("x.pkl: not a revisitop ground truth: the top level is not a dict",
            Assert.Throws<InputException>(() => GroundTruth.FromPickle(list, "x.pkl")).Message);
        var noGnd = new Dictionary<object, object?>
        {
            ["imlist"] = new List<object?>(), ["qimlist"] = new List<object?>(),
        };
        Assert.Equal("x.pkl: not a revisitop ground truth: missing key 'gnd'",
            Assert.Throws<InputException>(() => GroundTruth.FromPickle(noGnd, "x.pkl")).Message);
        var badIndex = PickleReader.Load(PickleWriter.Dump(new Dictionary<string, object?>
        {
            ["imlist"] = new List<object?> { "a" },
            ["qimlist"] = new List<object?> { "q" },
            ["gnd"] = new List<object?> { new Dictionary<string, object?> { ["bbx"] =
                new List<object?> { 0L, 0L, 1L, 1L }, ["easy"] = new List<object?> { 5L } } },
        }), "x.pkl");
        Assert.Equal("x.pkl: not a revisitop ground truth: gnd[0]['easy'] holds 5, not an index into the 1 database " +
                     "images",
            Assert.Throws<InputException>(() => GroundTruth.FromPickle(badIndex, "x.pkl")).Message);
    }
}
