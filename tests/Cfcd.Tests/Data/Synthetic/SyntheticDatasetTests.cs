using System.Security.Cryptography;
using Cfcd.Data.Synthetic;
using Cfcd.Retrieval;
using SkiaSharp;

namespace Cfcd.Tests.Data.Synthetic;

/// <summary>One small data set, written once for the tests that only read it.</summary>
public sealed class SmallSyntheticDataset
{
    public static readonly SyntheticOptions Options =
        new(Seed: 7, Classes: 4, TrainPerClass: 3, ValidationPerClass: 2, Queries: 3, Database: 12, Size: 64);

    public SmallSyntheticDataset()
    {
        Folder = TestPaths.NewTempFolder();
        Summary = SyntheticDataset.Write(Folder, Options);
    }

    public string Folder { get; }

    public SyntheticSummary Summary { get; }
}

public class SyntheticDatasetTests(SmallSyntheticDataset dataset) : IClassFixture<SmallSyntheticDataset>
{
    private static SyntheticOptions Options => SmallSyntheticDataset.Options;

    private static (int Width, int Height) Decode(string path)
    {
        using var codec = SKCodec.Create(path, out var status);
        Assert.True(codec is not null, $"{path}: {status}");
        using var bitmap = SKBitmap.Decode(codec);
        Assert.NotNull(bitmap);
        return (codec.Info.Width, codec.Info.Height);
    }

    private static Dictionary<string, string> FileHashes(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            path => Path.GetRelativePath(folder, path),
                path => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));

    [Theory]
    [InlineData(SyntheticDataset.TrainList, "train", 3)]
    [InlineData(SyntheticDataset.ValidationList, "val", 2)]
    public void ListsNameEveryViewOfEveryClassWithContiguousLabels(string list, string split, int perClass)
    {
        var lines = File.ReadAllLines(Path.Combine(dataset.Folder, list));
        Assert.Equal(Options.Classes * perClass, lines.Length);
        var labels = new List<int>();
        foreach (string line in lines)
        {
            var parts = line.Split(' ');
            Assert.Equal(2, parts.Length);
            Assert.Matches($@"^{split}/\d{{3}}/\d{{4}}\.jpg$", parts[0]);
            labels.Add(int.Parse(parts[1]));
            Assert.Equal(parts[1].PadLeft(3, '0'), parts[0].Split('/')[1]);
            var (width, height) = Decode(Path.Combine(dataset.Folder, parts[0]));
            Assert.Equal(Options.Size, Math.Max(width, height));
        }
        Assert.Equal(Enumerable.Range(0, Options.Classes), labels.Distinct().Order());
        Assert.All(labels.GroupBy(label => label), group => Assert.Equal(perClass, group.Count()));
    }

    [Fact]
    public void TheGroundTruthReadsBackAndIsConsistent()
    {
        var gnd = GroundTruth.Load(Path.Combine(dataset.Folder, "synth", "gnd_synth.pkl"));
        Assert.Equal(Options.Queries, gnd.QueryNames.Count);
        Assert.Equal(Options.Database, gnd.DatabaseNames.Count);
        string images = Path.Combine(dataset.Folder, "synth", "jpg");
        foreach (string name in gnd.DatabaseNames)
            Decode(Path.Combine(images, name + ".jpg"));
        Assert.Equal(Options.Queries + Options.Database, Directory.GetFiles(images, "*.jpg").Length);

        for (int query = 0; query < gnd.Queries.Count; query++)
        {
            var entry = gnd.Queries[query];
            foreach (var list in new[] { entry.Easy, entry.Hard, entry.Junk })
            {
                Assert.Equal(list.Order(), list);
                Assert.Equal(list.Length, list.Distinct().Count());
                Assert.All(list, index => Assert.InRange(index, 0, Options.Database - 1));
            }
            Assert.Empty(entry.Easy.Intersect(entry.Hard).Concat(entry.Easy.Intersect(entry.Junk))
                .Concat(entry.Hard.Intersect(entry.Junk)));
            Assert.True(entry.Easy.Length + entry.Hard.Length > 0, $"query {query} has no positive");

            var (width, height) = Decode(Path.Combine(images, gnd.QueryNames[query] + ".jpg"));
            var bbx = entry.Bbx;
            Assert.True(0 <= bbx[0] && bbx[0] < bbx[2] && bbx[2] <= width,
                $"bbx x {bbx[0]}..{bbx[2]} in width {width}");
            Assert.True(0 <= bbx[1] && bbx[1] < bbx[3] && bbx[3] <= height,
                $"bbx y {bbx[1]}..{bbx[3]} in height {height}");
            Assert.True((bbx[2] - bbx[0]) * (bbx[3] - bbx[1]) > 0.2 * width * height,
                "the structure fills a fair part of the query");
        }
    }

    [Fact]
    public void DistractorsAreNeverLabelledAndTheSummaryCountsTheRest()
    {
        var gnd = GroundTruth.Load(Path.Combine(dataset.Folder, "synth", "gnd_synth.pkl"));
        var labelled =
            gnd.Queries.SelectMany(entry => entry.Easy.Concat(entry.Hard).Concat(entry.Junk)).Distinct().Count();
        Assert.Equal(Options.Positives, labelled);
        Assert.Equal(Options.Database - Options.Positives, dataset.Summary.Distractors);
        Assert.Equal(Options.Positives, dataset.Summary.Easy + dataset.Summary.Hard + dataset.Summary.Junk);
        // Queries of one scene (0 and 2 of the two scenes) share their labels; the two scenes share no image.
        Assert.Equal(gnd.Queries[0].Easy, gnd.Queries[2].Easy);
        Assert.Empty(gnd.Queries[0].Easy.Intersect(gnd.Queries[1].Easy));
    }

    [Fact]
    public void TheSameSeedGivesTheSameBytesAndAnotherSeedOtherImages()
    {
        var again = TestPaths.NewTempFolder();
        SyntheticDataset.Write(again, Options);
        Assert.Equal(FileHashes(dataset.Folder), FileHashes(again));

        var other = TestPaths.NewTempFolder();
        SyntheticDataset.Write(other, Options with { Seed = 8 });
        var reference = FileHashes(dataset.Folder);
        var changed = FileHashes(other).Count(pair => reference[pair.Key] != pair.Value);
        Assert.True(changed > 0.9 * reference.Count,
            $"only {changed} of {reference.Count} files differ with another seed");
    }

    [Fact]
    public void CancellingStopsBeforeTheListsAreWritten()
    {
        string folder = TestPaths.NewTempFolder();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SyntheticDataset.Write(folder, Options, null, new CancellationToken(true)));
        Assert.False(File.Exists(Path.Combine(folder, SyntheticDataset.TrainList)));
        Assert.False(File.Exists(Path.Combine(folder, "synth", "gnd_synth.pkl")));
    }

    [Theory]
    [InlineData(1, 3, 2, 3, 12, 64, "--classes: must be at least 2, got 1")]
    [InlineData(4, 1, 2, 3, 12, 64, "--train-per-class: must be at least 2, got 1")]
    [InlineData(4, 3, 0, 3, 12, 64, "--val-per-class: must be at least 1, got 0")]
    [InlineData(4, 3, 2, 0, 12, 64, "--queries: must be at least 1, got 0")]
    [InlineData(4, 3, 2, 5, 4, 64, "--db: must be at least --queries (5), got 4")]
    [InlineData(4, 3, 2, 3, 12, 31, "--size: must be at least 32, got 31")]
    [InlineData(4, 3, 2, 3, 12, 4096, "--size: must be at most 2048, got 4096")]
    public void BadOptionsAreInputErrors(int classes, int trainPerClass, int valPerClass, int queries, int database,
        int size, string message)
    {
        var options = new SyntheticOptions(1, classes, trainPerClass, valPerClass, queries, database, size);
        var error = Assert.Throws<InputException>(() => SyntheticDataset.Write(TestPaths.NewTempFolder(), options));
        Assert.Equal(message, error.Message);
    }
}
