using System.Diagnostics;
using System.Text;
using Cfcd.Cli;
using Cfcd.IO;
using Cfcd.Native;
using Cfcd.Tests.Config;
using Cfcd.Tests.Data;
using Cfcd.Tests.IO;
using Xunit.Abstractions;

namespace Cfcd.Tests.Cli;

/// <summary>
/// The hostile files of issue 14, rebuilt here and given to the verbs a user would give them to: each ends with
/// exit 2 and one printable line naming the file, in seconds and without growing the process by gigabytes.
/// </summary>
[Collection(PeakMemoryCollection.Name)]
public class HostileInputTests(ITestOutputHelper output)
{
    private static readonly string Weights = TestPaths.Fixture("Modeling", "cfcd_r50w4.pyth");

    private static readonly string Features = TestPaths.Fixture("Retrieval");
    private static readonly string Query = Path.Combine(Features, "roxford5k_query.npy");
    private static readonly string Database = Path.Combine(Features, "roxford5k_db.npy");
    private static readonly string Gnd = TestPaths.RevisitopGroundTruth("roxford5k");

    /// <summary>Runs cfcd in this process and checks the contract: exit 2, one line, within time and memory.</summary>
    private string Refused(params string[] args) => Assert.Single(Run(ExitCodes.BadInput, args));

    /// <summary>
    /// Runs cfcd in this process: the exit code, 60 s, 1 GB of growth; the lines of stderr, all printable.
    /// </summary>
    private string[] Run(int exitCode, params string[] args)
    {
        ProcessMemory.ResetPeak();
        long before = ProcessMemory.PeakResidentBytes();
        var clock = Stopwatch.StartNew();
        var result = CliRunner.Run(args);
        long growth = ProcessMemory.PeakResidentBytes() - before;
        output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F2} s {growth / 1_000_000,6} MB  exit {result.ExitCode}  " +
            InputText.Quote(result.Error.TrimEnd(), 200));
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}: {result.Error}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.True(growth < 1_000_000_000, $"grew by {growth / 1_000_000} MB");
        string[] lines = result.Error.TrimEnd('\n').Split('\n');
        foreach (string line in lines)
        {
            Assert.DoesNotContain("   at ", line);
            Assert.All(line, character => Assert.False(char.IsControl(character), $"control character in: {line}"));
        }
        return lines;
    }


    private static string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string WriteText(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    private static string NpyShape(string shape) => Write("bad.npy",
        NpyTests.NpyBytes($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}", new byte[32]));

    public static TheoryData<string, string> NpyCases() => new()
    {
        // 2^62 + 1 rows of 8: rows x columns x 4 overflowed, the size check passed and the mapping was overrun.
        { "(4611686018427387905, 8)", "does not fit in 2^63 bytes" },
        { "(4, 4611686018427387905)", "does not fit in 2^63 bytes" },
        { "(4, 99999999999999999999)", "a shape dimension that is not a non-negative integer within 2^63" },
        { "(1, 4294967297)", "truncated: shape (1, 4294967297) needs 17179869188 bytes" },
        { "(1, 1), 'shape': (1, 2)", "the key 'shape' appears twice" },
    };

    [Theory]
    [MemberData(nameof(NpyCases))]
    public void NpyShapesAsDistractorsAndQueries(string shape, string expected)
    {
        string bad = NpyShape(shape);
        Assert.Contains(expected, Refused("eval", "roxford", "--query", Query, "--db", Database, "--gnd", Gnd,
            "--distractors", bad));
        Assert.Contains(expected, Refused("eval", "roxford", "--query", bad, "--db", Database, "--gnd", Gnd));
    }

    [Theory]
    [InlineData(3_000_000_000u)]
    [InlineData(4_294_967_295u)]
    public void NpyHeaderLengthsOfGigabytes(uint declared)
    {
        string bad = Write("long.npy", NpyTests.DeclaredHeaderLength(declared));
        Assert.Contains($"the .npy header says it is {declared} bytes long",
            Refused("eval", "roxford", "--query", bad, "--db", Database, "--gnd", Gnd));
    }

    [Fact]
    public void NpyHeaderControlCharactersDoNotSplitTheLine()
    {
        string bad = Write("ctl.npy",
            NpyTests.NpyBytes("{'descr': '<f4\r\n\u001b[2J', 'fortran_order': False, 'shape': (1, 1), }",
                new byte[4]));
        Assert.Contains("element type '<f4\\x0d\\x0a\\x1b[2J' is not supported",
            Refused("eval", "roxford", "--query", bad, "--db", Database, "--gnd", Gnd));
    }

    [Fact]
    public async Task ANamedPipeAsQuery()
    {
        string pipe = Path.Combine(TestPaths.NewTempFolder(), "query.npy");
        using (var mkfifo = Process.Start("mkfifo", pipe))
            await mkfifo.WaitForExitAsync();
        string line = await Task.Run(() => Refused("eval", "roxford", "--query", pipe, "--db", Database, "--gnd", Gnd))
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("not a regular file", line);
    }

    public static TheoryData<string, string> ConfigCases() => new()
    {
        { HostileConfigTests.BillionLaughs("model"), "YAML anchors (&name) are not supported" },
        { HostileConfigTests.BillionLaughs("unknown_section"), "YAML anchors (&name) are not supported" },
        { "a: &a [*a]\n", "YAML anchors (&name) are not supported" },
        { "x: " + new string('[', 100_000) + new string(']', 100_000) + "\n", "nested deeper than 32 levels" },
        { "optim:\n  base_lr: .inf\n", "key 'optim.base_lr' expects a finite number, got '.inf'" },
        { "model:\n  mean: [.nan, 0, 0]\n", "key 'model.mean[0]' expects a finite number, got '.nan'" },
        { "data:\n  workers: 100000\n", "key 'data.workers' must be in [1, 256], got 100000" },
    };

    [Theory]
    [MemberData(nameof(ConfigCases))]
    public void Configs(string yaml, string expected)
    {
        string config = WriteText("hostile.yaml", yaml);
        Assert.Contains(expected, Refused("train", "--config", config, "--dry-run"));
    }

    [Fact]
    public void OutputsThatCannotBeWritten()
    {
        string folder = TestPaths.NewTempFolder();
        Assert.Equal($"cfcd eval: {folder}: is a directory; give a file name",
            Refused("eval", "roxford", "--features", Features, "--gnd", Gnd, "--json", folder));
        Assert.Contains("cannot write here", Refused("eval", "roxford", "--features", Features, "--gnd", Gnd,
            "--json", Path.Combine(folder, new string('j', 300) + ".json")));
        Assert.Contains("cfcd eval: /proc: cannot write here",
            Refused("eval", "roxford", "--features", Features, "--gnd", Gnd, "--json", "/proc/cfcd.json"));

        string list = WriteText("list.txt", TestPaths.Fixture("Data", "quadrants.jpg") + "\n");
        string weights = TestPaths.Fixture("Modeling", "cfcd_r50w4.pyth");
        Assert.Equal($"cfcd extract: {folder}: is a directory; give a file name",
            Refused("extract", "--weights", weights, "--images", list, "--out", folder));
        Assert.Contains("cannot write here",
            Refused("extract", "--weights", weights, "--images", list, "--out",
                Path.Combine(folder, new string('o', 300))));
    }

    [Fact]
    public void ListsWithNamesThatAreNotUtf8()
    {
        string list = Write("list.txt", [.. "a.jpg\ncaf"u8, 0xe9, .. ".jpg\n"u8]);
        string weights = TestPaths.Fixture("Modeling", "cfcd_r50w4.pyth");
        Assert.StartsWith($"cfcd extract: {list}:2: not valid UTF-8",
            Refused("extract", "--weights", weights, "--images", list, "--out",
                Path.Combine(TestPaths.NewTempFolder(), "f.npy")));
    }

    [Fact]
    public void ImageBombsGetZeroRowsAndAWarning()
    {
        string folder = TestPaths.NewTempFolder();
        string list = Path.Combine(folder, "list.txt");
        File.WriteAllLines(list,
        [
            HostileImages.Write(folder, "bomb.png", HostileImages.Png(60000, 60000)),
            HostileImages.Write(folder, "progressive.jpg", HostileImages.ProgressiveJpeg(60000, 60000)),
            HostileImages.Write(folder, "baseline.jpg", HostileImages.BaselineJpeg(60000, 60000)),
        ]);
        var lines = Run(ExitCodes.Success, "extract", "--weights", Weights, "--images", list,
            "--out", Path.Combine(folder, "o.npy"));
        Assert.Contains(lines, line => line.Contains("2 unreadable images have zero rows"));
    }

    [Fact]
    public void CheckpointsThatWouldAllocateGigabytes()
    {
        string folder = TestPaths.NewTempFolder();
        // One float repeated over a 20000 x 20000 view (1.6 GB once made contiguous), from a 1 KB file.
        string repeated = TorchSaveFiles.Zip(folder,
            TorchSaveFiles.StateDict([("conv1.weight", new StoredTensor("0", 1, 0, [20000, 20000], [0, 0]))]),
            new Dictionary<string, byte[]> { ["0"] = new byte[4] });
        Assert.Contains("a zero stride repeats elements", Refused("extract", "--weights", repeated, "--images",
            TestPaths.Fixture("Modeling", "images.txt"), "--out", Path.Combine(folder, "o.npy")));
        // A legacy file whose one storage claims 2^62 elements.
        string legacy = TorchSaveFiles.Legacy(folder,
            TorchSaveFiles.StateDict([("conv1.weight", new StoredTensor("0", 1L << 62, 0, [1], [1]))]),
            [("0", 1L << 62, new byte[8])]);
        Assert.Contains("declares 4611686018427387904 elements", Refused("import-weights", "--from", legacy,
            "--out", Path.Combine(folder, "w.safetensors")));
    }
}
