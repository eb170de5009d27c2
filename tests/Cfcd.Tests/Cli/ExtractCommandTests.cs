using Cfcd.Cli;
using Cfcd.Distributed;
using Cfcd.IO;
using Cfcd.Retrieval;
using Cfcd.Tests.Data;
using Cfcd.Tests.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Cli;

/// <summary>A small synthetic set in the revisitop layout, for extracting and evaluating whole data sets.</summary>
public sealed class SmallRevisitedSet
{
    public SmallRevisitedSet()
    {
        Root = TestPaths.NewTempFolder();
        Cfcd.Data.Synthetic.SyntheticDataset.Write(Root,
            new Cfcd.Data.Synthetic.SyntheticOptions(Seed: 5, Classes: 2, TrainPerClass: 2, ValidationPerClass: 1,
            Queries: 4, Database: 23, Size: 64));
    }

    public string Root { get; }
}

public class ExtractCommandTests(SmallRevisitedSet synth) : IClassFixture<SmallRevisitedSet>
{
    private const string OfficialCheckpoint = "CFCD weights, ResNet-50 (width 4), 24-d descriptor, 10 classes, " +
        "input BGR, mean [0.406, 0.456, 0.485], std [0.225, 0.224, 0.229]";

    private static string Fixture(string name) => TestPaths.Fixture("Modeling", name);

    private static Tensor ReadRows(string path)
    {
        var (values, rows, columns) = Npy.ReadMatrix(path);
        return tensor(values, [rows, columns]);
    }

    [Theory]
    [InlineData("cfcd_r50w4.pyth", "PyTorch zip file")]
    [InlineData("cfcd_r50w4_legacy.pyth", "PyTorch legacy file")]
    public void ExtractFromAnOfficialCheckpointMatchesPyTorch(string name, string format)
    {
        string output = Path.Combine(TestPaths.NewTempFolder(), "single.npy");
        var result = CliRunner.Run("extract", "--weights", Fixture(name), "--images", Fixture("images.txt"),
            "--out", output, "--scales", "1", "--device", "cpu");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_single.npy"), ReadRows(output));
        Assert.Contains($"extract: {Fixture(name)}: {format}, {OfficialCheckpoint}; skipped epoch, optimizer_state, " +
                        "cfg\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("cfcd_r50w4.pyth", "PyTorch zip file")]
    [InlineData("cfcd_r50w4_legacy.pyth", "PyTorch legacy file")]
    public void ImportedWeightsGiveTheSameMultiScaleDescriptors(string name, string format)
    {
        string folder = TestPaths.NewTempFolder();
        string imported = Path.Combine(folder, "w.safetensors");
        var import = CliRunner.Run("import-weights", "--from", Fixture(name), "--out", imported);
        Assert.True(import.ExitCode == ExitCodes.Success, import.Error);
        Assert.StartsWith($"{Fixture(name)}: {format}, {OfficialCheckpoint}; skipped epoch, optimizer_state, cfg\n",
            import.Out.ReplaceLineEndings("\n"));

        string output = Path.Combine(folder, "multi.npy");
        var result =
            CliRunner.Run("extract", "--weights", imported, "--images", Fixture("images.txt"), "--out", output);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_multi.npy"), ReadRows(output));
        Assert.Contains($"extract: {imported}: cfcd safetensors (imported from CFCD weights), cfcd weights, ResNet-50",
            result.Error);
    }

    [Fact]
    public void UnreadableImagesGetZeroRowsAndAreCounted()
    {
        string folder = TestPaths.NewTempFolder();
        File.Copy(Fixture("image0.png"), Path.Combine(folder, "a.png"));
        File.WriteAllBytes(Path.Combine(folder, "b.png"), File.ReadAllBytes(Fixture("image1.png"))[..200]);
        File.WriteAllText(Path.Combine(folder, "c.jpg"), "not an image");
        string output = Path.Combine(folder, "out.npy");
        var result = CliRunner.Run("extract", "--weights", Fixture("cfcd_r50w4.pyth"), "--images", folder, "--out",
            output, "--scales", "1");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("2 unreadable images have zero rows", result.Error);
        Assert.Contains("b.png: the image is damaged or truncated", result.Error);
        var rows = ReadRows(output);
        Assert.Equal([3L, 24L], rows.shape);
        Assert.Equal(1.0, rows[0].norm().ToDouble(), 5);
        Assert.Equal(0.0, rows[1].norm().ToDouble());
        Assert.Equal(0.0, rows[2].norm().ToDouble());
    }

    [Theory]
    [InlineData("views.pt", "no ResNet weights recognised")]
    [InlineData("torchvision_r18w4.pth", "backbone-only Torchvision weights have no CFCD head")]
    [InlineData("images.txt", "not a PyTorch checkpoint")]
    public void WeightsThatCannotExtractAreRefusedInOneLine(string weights, string problem)
    {
        string output = Path.Combine(TestPaths.NewTempFolder(), "o.npy");
        var result =
            CliRunner.Run("extract", "--weights", Fixture(weights), "--images", Fixture("images.txt"), "--out", output);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"cfcd extract: {Fixture(weights)}: ", result.Error);
        Assert.Contains(problem, result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void AHostileWeightsFileIsOneLineAndExitCode2()
    {
        // One float repeated over a 20000 x 20000 view: materialising it would take 1.6 GB.
        var tensor = new StoredTensor("0", 1, 0, [20000, 20000], [0, 0]);
        string folder = TestPaths.NewTempFolder();
        string weights = TorchSaveFiles.Zip(folder, TorchSaveFiles.StateDict([("conv1.weight", tensor)]),
            new Dictionary<string, byte[]> { ["0"] = new byte[4] });
        string output = Path.Combine(folder, "o.npy");
        var result = CliRunner.Run("extract", "--weights", weights, "--images", Fixture("images.txt"), "--out", output);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"cfcd extract: {weights}:", result.Error);
        Assert.Contains("a zero stride repeats elements", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", result.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void DecompressionBombsGetZeroRowsAndTheRunGoesOn()
    {
        string folder = TestPaths.NewTempFolder();
        string png = HostileImages.Write(folder, "bomb.png", HostileImages.Png(60000, 60000));
        string progressive = HostileImages.Write(folder, "p.jpg", HostileImages.ProgressiveJpeg(60000, 60000));
        string baseline = HostileImages.Write(folder, "baseline.jpg", HostileImages.BaselineJpeg(60000, 60000));
        string list = Path.Combine(folder, "list.txt");
        File.WriteAllLines(list, [Fixture("image0.png"), png, progressive, baseline]);
        CliRunner.Result Extract(string output, params string[] extra) => CliRunner.Run(["extract",
            "--weights", Fixture("cfcd_r50w4.pyth"), "--images", list, "--out", output, "--scales", "1",
            "--max-size", "64", .. extra]);

        string output = Path.Combine(folder, "out.npy");
        var result = Extract(output);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("2 unreadable images have zero rows", result.Error);
        Assert.Contains($"extract: row 1 left zero: {png}: 60000 x 60000 pixels (3600 megapixels) is over the " +
                        "--max-image-pixels limit of 100 megapixels; not decoded\n", result.Error);
        Assert.Contains($"extract: row 2 left zero: {progressive}: 60000 x 60000 pixels (3600 megapixels) is over " +
                        "the --max-image-pixels limit of 100 megapixels (only a single-scan sequential JPEG " +
                        "decodes smaller)", result.Error);
        // A baseline JPEG fits at 1/8 (7500 x 7500): decoded, grey past its few real bytes, and described.
        var rows = ReadRows(output);
        var norms = Enumerable.Range(0, 4).Select(row => Math.Round(rows[row].norm().ToDouble(), 5));
        Assert.Equal([1.0, 0.0, 0.0, 1.0], norms);

        result = Extract(Path.Combine(folder, "smaller-limit.npy"), "--max-image-pixels", "50000000");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("3 unreadable images have zero rows", result.Error);
        Assert.Contains($"extract: row 3 left zero: {baseline}: 60000 x 60000 pixels (3600 megapixels) is over the " +
                        "--max-image-pixels limit of 50 megapixels even at 1/8 size; not decoded", result.Error);

        result = Extract(output, "--max-image-pixels", "0");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("cfcd extract: --max-image-pixels must be in [1, 175000000], got 0", result.Error.TrimEnd());
    }

    [Fact]
    public void BadScalesAndDevicesAreInputErrors()
    {
        var scales = CliRunner.Run("extract", "--weights", Fixture("cfcd_r50w4.pyth"), "--images",
            Fixture("images.txt"), "--out", "o.npy", "--scales", "1,-2");
        Assert.Equal(ExitCodes.BadInput, scales.ExitCode);
        Assert.Equal("cfcd extract: --scales: '-2' is not a positive number", scales.Error.TrimEnd());
    }

    private CliRunner.Result ExtractSynth(string output, params string[] extra) =>
        ExtractSynth(ProcessLaunch.Single, output, extra);

    private CliRunner.Result ExtractSynth(ProcessLaunch launch, string output, params string[] extra) =>
        CliRunner.Run(launch, ["extract", "--weights", Fixture("cfcd_r50w4.pyth"), "--dataset", "synth",
            "--data-root", synth.Root, "--out", output, "--scales", "0.7071,1", "--chunk", "5", .. extra]);

    [Fact]
    public void ADatasetIsExtractedInGroundTruthOrderWithQueriesCropped()
    {
        string output = TestPaths.NewTempFolder();
        var result = ExtractSynth(output);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("synth_db.npy: 23 x 24, 5 chunks extracted, 0 found from before; wrote", result.Error);

        var images = Cfcd.Data.RevisitedImages.Load(synth.Root, "synth");
        using var model = FixtureModel.Load();
        using var extractor = new Cfcd.Retrieval.DescriptorExtractor(model.Network, model.Convention, [0.7071, 1], CPU);
        var queries = ReadRows(Path.Combine(output, "synth_query.npy"));
        var database = ReadRows(Path.Combine(output, "synth_db.npy"));
        Assert.True(tensor(extractor.Extract(images.QueryPath(2), images.QueryBox(2)))
            .allclose(queries[2], atol: 1e-5));
        Assert.True(tensor(extractor.Extract(images.DatabasePath(17))).allclose(database[17], atol: 1e-5));

        var evaluated = CliRunner.Run("eval", "synth", "--features", output, "--data-root", synth.Root);
        Assert.True(evaluated.ExitCode == ExitCodes.Success, evaluated.Error);
        Assert.StartsWith("synth: 4 queries, 23 database images", evaluated.Out);
    }

    [Fact]
    public void ShardsShareTheChunksAndTheLastOneMerges()
    {
        string whole = TestPaths.NewTempFolder(), sharded = TestPaths.NewTempFolder();
        Assert.Equal(ExitCodes.Success, ExtractSynth(whole).ExitCode);

        var first = ExtractSynth(sharded, "--shard", "0/2");
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.Contains("synth_db.npy: 23 x 24, 3 chunks extracted, 0 found from before; 3 of 5 chunks in",
            first.Error);
        Assert.Contains("extract synth_db.npy: 100% (13 / 13)", first.Error);
        var early = CliRunner.Run("extract", "--weights", Fixture("cfcd_r50w4.pyth"), "--dataset", "synth",
            "--data-root", synth.Root, "--out", sharded,
            "--scales", "0.7071,1", "--chunk", "5", "--merge");
        Assert.Equal(ExitCodes.BadInput, early.ExitCode);
        Assert.Contains("2 of 5 chunks are missing, the first holds rows 5 to 9 (chunk 1)", early.Error);

        var second = ExtractSynth(sharded, "--shard", "1/2");
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.Contains("synth_db.npy: 23 x 24, 2 chunks extracted, 0 found from before; wrote", second.Error);
        foreach (string name in new[] { "synth_query.npy", "synth_db.npy" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(whole, name)), File.ReadAllBytes(Path.Combine(sharded, name)));
    }

    [Fact]
    public void EachProcessOfAParallelLaunchTakesItsShardAndAGivenShardWins()
    {
        string whole = TestPaths.NewTempFolder(), launched = TestPaths.NewTempFolder();
        Assert.Equal(ExitCodes.Success, ExtractSynth(whole).ExitCode);
        ProcessLaunch Srun(int task) => ProcessLaunch.FromVariables(new Dictionary<string, string>
        {
            ["SLURM_STEP_ID"] = "0", ["SLURM_PROCID"] = $"{task}", ["SLURM_NTASKS"] = "2",
        }.GetValueOrDefault);

        var given = ExtractSynth(Srun(1), launched, "--shard", "0/2");
        Assert.True(given.ExitCode == ExitCodes.Success, given.Error);
        Assert.DoesNotContain("from srun", given.Error);
        Assert.Contains("synth_db.npy: 23 x 24, 3 chunks extracted, 0 found from before; 3 of 5 chunks in",
            given.Error);

        var second = ExtractSynth(Srun(1), launched);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.StartsWith("extract: shard 1/2 from srun\n", second.Error.ReplaceLineEndings("\n"));
        Assert.Contains("synth_db.npy: 23 x 24, 2 chunks extracted, 0 found from before; wrote", second.Error);
        foreach (string name in new[] { "synth_query.npy", "synth_db.npy" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(whole, name)), File.ReadAllBytes(Path.Combine(launched, name)));
    }

    [Fact]
    public void AStoppedExtractionContinuesFromItsChunks()
    {
        string output = TestPaths.NewTempFolder(), whole = TestPaths.NewTempFolder();
        Assert.Equal(ExitCodes.Success, ExtractSynth(whole).ExitCode);
        // What a killed run leaves: some chunk files, no merged matrix.
        Assert.Equal(ExitCodes.Success, ExtractSynth(output, "--shard", "1/3").ExitCode);
        var resumed = ExtractSynth(output);
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Error);
        Assert.Contains("synth_db.npy: 23 x 24, 3 chunks extracted, 2 found from before; wrote", resumed.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "synth_db.npy")),
            File.ReadAllBytes(Path.Combine(output, "synth_db.npy")));

        // Chunks left by a run with other scales are not mixed into this one.
        string mixed = TestPaths.NewTempFolder();
        Assert.Equal(ExitCodes.Success, CliRunner.Run("extract", "--weights", Fixture("cfcd_r50w4.pyth"), "--dataset",
            "synth", "--data-root", synth.Root,
            "--out", mixed, "--shard", "0/2", "--scales", "1", "--chunk", "5").ExitCode);
        var refused = ExtractSynth(mixed);
        Assert.Equal(ExitCodes.BadInput, refused.ExitCode);
        Assert.Contains("were computed with scales = 1, this run has 0.7071,1", refused.Error);
    }

    [Fact]
    public void EvalDrawsQueriesWithTheirLabelledTopResults()
    {
        string output = TestPaths.NewTempFolder();
        Assert.Equal(ExitCodes.Success, ExtractSynth(output).ExitCode);
        string picture = Path.Combine(output, "top.png");
        var result =
            CliRunner.Run("eval", "synth", "--features", output, "--data-root", synth.Root, "--visualize", picture,
            "--visualize-queries", "3", "--visualize-top", "5");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var bitmap = SkiaSharp.SKBitmap.Decode(picture);
        Assert.Equal((6 * 150, 3 * 168), (bitmap.Width, bitmap.Height));
        Assert.Equal(ExitCodes.BadInput,
            CliRunner.Run("eval", "synth", "--features", output, "--gnd", "g.pkl", "--visualize", picture).ExitCode);

        // --gnd is the ground truth of the picture too: a data root holding only the images is enough.
        string imagesOnly = TestPaths.NewTempFolder();
        Directory.CreateDirectory(Path.Combine(imagesOnly, "synth"));
        Directory.CreateSymbolicLink(Path.Combine(imagesOnly, "synth", "jpg"),
            Path.Combine(synth.Root, "synth", "jpg"));
        string gnd = RevisitedDatasets.FindGroundTruth(synth.Root, "synth");
        var withGnd = CliRunner.Run("eval", "synth", "--features", output, "--data-root", imagesOnly, "--gnd", gnd,
            "--visualize", picture);
        Assert.True(withGnd.ExitCode == ExitCodes.Success, withGnd.Error);
    }

    [Fact]
    public void TheDemoEvaluatesGivenWeightsOnAGivenDataSet()
    {
        string folder = TestPaths.NewTempFolder();
        var result = CliRunner.Run("demo", "--out", folder, "--weights", Fixture("cfcd_r50w4.pyth"), "--dataset",
            "synth", "--data-root", synth.Root);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.StartsWith("demo: synth, 4 queries, 23 database images; mAP (revisited protocol)", result.Out);
        Assert.Matches(@"given weights +[\d.]+ +[\d.]+ +[\d.]+", result.Out);
        Assert.True(File.Exists(Path.Combine(folder, "retrieval.png")));
    }
}
