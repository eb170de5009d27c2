using Cfcd.Data;

namespace Cfcd.Tests.Data;

public class ListTests
{
    [Fact]
    public void Gldv2CsvBecomesContiguousStratifiedLists()
    {
        string folder = TestPaths.NewTempFolder();
        string csv = Path.Combine(folder, "train_clean.csv");
        File.WriteAllText(csv, "landmark_id,images\n" +
            "7,abc001 abc002 abc003 abc004 abc005 abc006 abc007 abc008 abc009 abc010\n" +
            "2,fff111 eee222\n" +
            "40,zzz999\n");
        string train = Path.Combine(folder, "train.txt"), val = Path.Combine(folder, "val.txt");
        var summary = GldV2List.Convert(csv, train, val, valFraction: 0.2, minImages: 2, seed: 0);
        // round(2 x 0.2) = 0 validation images for landmark 2; round(10 x 0.2) = 2 for landmark 7.
        Assert.Equal(new GldV2ListSummary(2, 10, 2, 1), summary);
        var trainLines = File.ReadAllLines(train);
        var valLines = File.ReadAllLines(val);
        // Landmark 2 -> label 0, landmark 7 -> label 1; 40 has one image and is dropped.
        Assert.Contains("train/a/b/c/abc001.jpg 1", trainLines.Concat(valLines));
        Assert.DoesNotContain(valLines, line => line.EndsWith(" 0"));
        Assert.Equal(2, valLines.Count(line => line.EndsWith(" 1")));
        Assert.Equal(12, trainLines.Concat(valLines).Distinct().Count());
        Assert.DoesNotContain(trainLines.Concat(valLines), line => line.Contains("zzz999"));

        GldV2List.Convert(csv, train + "2", val + "2", 0.2, 2, seed: 0);
        Assert.Equal(valLines, File.ReadAllLines(val + "2"));
        var loaded = ImageDataset.Load(train, "/data/gldv2");
        Assert.Equal(2, loaded.Classes);
        Assert.StartsWith("/data/gldv2/train/", loaded.Samples[0].Path);
    }

    [Theory]
    [InlineData("landmark,images\n1,abc\n", "train_clean.csv:1: expected the header")]
    [InlineData("landmark_id,images\nx,abc\n", "train_clean.csv:2: expected 'landmark_id,images'")]
    [InlineData("landmark_id,images\n1,ab/c\n", "train_clean.csv:2: an image id is not alphanumeric")]
    public void BadCsvLinesAreNamed(string content, string problem)
    {
        string folder = TestPaths.NewTempFolder();
        string csv = Path.Combine(folder, "train_clean.csv");
        File.WriteAllText(csv, content);
        var error =
            Assert.Throws<InputException>(() => GldV2List.Convert(csv, Path.Combine(folder, "t.txt"), null, 0, 1, 0));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void ListsAndScoreFilesAreCheckedLineByLine()
    {
        string folder = TestPaths.NewTempFolder();
        string list = Path.Combine(folder, "list.txt");
        File.WriteAllText(list, "a/1.jpg 0\na/2.jpg 0\nb/with space.jpg 1\n");
        var dataset = ImageDataset.Load(list, folder);
        Assert.Equal(["a/1.jpg", "a/2.jpg", "b/with space.jpg"], dataset.RelativePaths);

        string scores = Path.Combine(folder, "scores.txt");
        File.WriteAllText(scores, "a/2.jpg 0 1 0.73\nb/with space.jpg 1 1 0.9\n");
        Assert.Equal([null, 1, 1], StageOneScores.LoadPredictions(scores, dataset));

        StageOneScores.Write(scores, dataset, [(2, 0, 0.25f), (0, 0, 0.5f)]);
        Assert.Equal(["b/with space.jpg 1 0 0.25", "a/1.jpg 0 0 0.5"], File.ReadAllLines(scores));
        Assert.Equal([0, null, 0], StageOneScores.LoadPredictions(scores, dataset));

        File.WriteAllText(scores, "a/2.jpg 1 1 0.73\n");
        Assert.EndsWith("scores.txt:1: a/2.jpg has label 0 in the training list, 1 here",
            Assert.Throws<InputException>(() => StageOneScores.LoadPredictions(scores, dataset)).Message);
        File.WriteAllText(list, "a/1.jpg 0\nno-label.jpg\n");
        Assert.EndsWith("list.txt:2: expected 'relative/path.jpg label' with a label >= 0, got 'no-label.jpg'",
            Assert.Throws<InputException>(() => ImageDataset.Load(list, folder)).Message);
    }
}

public class RevisitedImagesTests
{
    [Fact]
    public void TheSyntheticTestSetResolvesToImagesAndBoxes()
    {
        string folder = TestPaths.NewTempFolder();
        var result = Cfcd.Tests.Cli.CliRunner.Run("synth", "--out", folder, "--classes", "3", "--train-per-class", "2",
            "--val-per-class", "1", "--queries", "2", "--db", "6", "--size", "64");
        Assert.True(result.ExitCode == 0, result.Error);
        var images = RevisitedImages.Load(folder, "synth");
        for (int q = 0; q < images.GroundTruth.QueryNames.Count; q++)
        {
            Assert.True(File.Exists(images.QueryPath(q)));
            using var image = ImageReader.Open(images.QueryPath(q));
            var box = CropBox.FromBbx(images.QueryBox(q), image.Size.Width, image.Size.Height);
            Assert.True(box.Width >= 1 && box.X + box.Width <= image.Size.Width
                && box.Y + box.Height <= image.Size.Height);
        }
        Assert.All(Enumerable.Range(0, images.GroundTruth.DatabaseNames.Count),
            i => Assert.True(File.Exists(images.DatabasePath(i))));

        var dataset = ImageDataset.Load(Path.Combine(folder, "train_list.txt"), folder);
        var sampler = SamplerFactory.Create(new Cfcd.Config.SamplerConfig { Kind =
            Cfcd.Config.SamplerKind.ClassBalanced, ImagesPerClass = 2 }, dataset, 4, 1);
        Assert.Single(sampler.Epoch(0));
        var error = Assert.Throws<InputException>(() => SamplerFactory.Create(new Cfcd.Config.SamplerConfig { Kind =
            Cfcd.Config.SamplerKind.HardNegative }, dataset, 8, 1));
        Assert.StartsWith("sampler: tuples of 8 need", error.Message);
    }

    [Fact]
    public void MissingFoldersAndListsAreNamed()
    {
        string folder = TestPaths.NewTempFolder();
        Assert.Contains("no gnd_roxford5k.pkl",
            Assert.Throws<InputException>(() => RevisitedImages.Load(folder, "roxford5k")).Message);
        Assert.Contains("revisitop1m.txt: no R1M image list",
            Assert.Throws<InputException>(() => RevisitedImages.DistractorPaths(folder)).Message);
        Directory.CreateDirectory(Path.Combine(folder, "revisitop1m"));
        File.WriteAllText(Path.Combine(folder, "revisitop1m", "revisitop1m.txt"), "a/b.jpg\n\nc.jpg\n");
        Assert.Equal([Path.Combine(folder, "revisitop1m", "jpg", "a/b.jpg"),
            Path.Combine(folder, "revisitop1m", "jpg", "c.jpg")], RevisitedImages.DistractorPaths(folder));
    }
}
