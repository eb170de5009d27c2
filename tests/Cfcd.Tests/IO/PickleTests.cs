using System.Diagnostics;
using Cfcd.IO;

namespace Cfcd.Tests.IO;

public class PickleTests
{
    [Fact]
    public void ReadsPlainDataWithMemo()
    {
        // pickle.dumps({'a': [1, -2, 300, 70000, 2**40, 1.5, True, None, 'é', (1, 2)], 'b': 'é'}, protocol=2), memo
        // reuses 'é'.
        byte[] data = Convert.FromHexString(
            "80027d71002858010000006171015d7102284b014afeffffff4d2c014a701101008a0600000000000147" +
            "3ff8000000000000884e5802000000c3a971034b014b028671046558010000006271056803752e");
        var root = Assert.IsType<Dictionary<object, object?>>(PickleReader.Load(data, "t.pkl"));
        var list = Assert.IsType<List<object?>>(root["a"]);
        Assert.Equal(new object?[] { 1L, -2L, 300L, 70000L, 1L << 40, 1.5, true, null, "é" }, list.Take(9));
        Assert.Equal(new object?[] { 1L, 2L }, Assert.IsType<object?[]>(list[9]));
        Assert.Equal("é", root["b"]);
    }

    [Fact]
    public void RefusesGlobalsWithoutRunningThem()
    {
        // pickle.dumps of an object whose __reduce__ returns (posix.system, ('echo pwned',)), protocol 2.
        byte[] data = Convert.FromHexString(
            "800263706f7369780a73797374656d0a7100580a0000006563686f2070776e656471018571025271032e");
        var error = Assert.Throws<InputException>(() => PickleReader.Load(data, "evil.pkl"));
        Assert.Equal("evil.pkl: pickle offset 2: refusing opcode 0x63 ('c'): a pickle that imports globals can run " +
                     "code; only plain data is read", error.Message);
        var stackGlobal = Assert.Throws<InputException>(() =>
            PickleReader.Load(Convert.FromHexString("80048c05706f7369788c0673797374656d932e"), "evil4.pkl"));
        Assert.StartsWith("evil4.pkl: pickle offset 17: refusing opcode 0x93", stackGlobal.Message);
    }

    [Theory]
    [InlineData("8002ff2e", "x.pkl: pickle offset 2: unsupported opcode 0xff")]
    [InlineData("8002522e", "x.pkl: pickle offset 2: unsupported opcode 0x52 ('R')")]
    [InlineData("80015d2e", "x.pkl: pickle offset 0: pickle protocol 1 is not supported")]
    [InlineData("80025801000000", "x.pkl: pickle offset 2: truncated")]
    [InlineData("80025d", "x.pkl: pickle offset 3: truncated")]
    [InlineData("8002650a2e", "x.pkl: pickle offset 2: no MARK")]
    [InlineData("8002680a2e", "x.pkl: pickle offset 2: memo key 10 was never stored")]
    // Found by fuzzing: TUPLE2 takes an item from below the MARK, then APPENDS pops to it.
    [InlineData("80025d4e2886652e", "x.pkl: pickle offset 6: the stack was popped below its MARK")]
    public void MalformedPicklesNameTheOffset(string hex, string expectedStart)
    {
        var error = Assert.Throws<InputException>(() => PickleReader.Load(Convert.FromHexString(hex), "x.pkl"));
        Assert.StartsWith(expectedStart, error.Message);
    }

    [Fact]
    public void ReadsAllOfAnOfficialFileButNotItsTruncation()
    {
        byte[] data = File.ReadAllBytes(TestPaths.RevisitopGroundTruth("roxford5k"));
        Assert.NotNull(PickleReader.Load(data, "full"));
        var error = Assert.Throws<InputException>(() => PickleReader.Load(data.AsSpan(0, data.Length / 2), "half.pkl"));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void WriterRoundTrips()
    {
        var value = new Dictionary<string, object?>
        {
            ["ints"] = new List<object?> { 0L, 255L, 256L, 65535L, 65536L, -1L, (long)int.MinValue, long.MaxValue,
                long.MinValue },
            ["floats"] = new List<object?> { 0.1, -2.5e300, double.Epsilon },
            ["many"] = Enumerable.Range(0, 2500).Select(i => (object?)(long)i).ToList(),
            ["tuple"] = new object?[] { "a", null, true, false },
            ["text"] = "ünïcode ✓",
        };
        var back = Assert.IsType<Dictionary<object, object?>>(PickleReader.Load(PickleWriter.Dump(value), "w.pkl"));
        Assert.Equal((List<object?>)value["ints"]!, Assert.IsType<List<object?>>(back["ints"]));
        Assert.Equal((List<object?>)value["floats"]!, Assert.IsType<List<object?>>(back["floats"]));
        Assert.Equal((List<object?>)value["many"]!, Assert.IsType<List<object?>>(back["many"]));
        Assert.Equal((object?[])value["tuple"]!, Assert.IsType<object?[]>(back["tuple"]));
        Assert.Equal("ünïcode ✓", back["text"]);
    }

    [Fact]
    public void PythonReadsWhatTheWriterWrites()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "w.pkl");
        File.WriteAllBytes(path, PickleWriter.Dump(new Dictionary<string, object?>
        {
            ["gnd"] = new List<object?> { new Dictionary<string, object?> { ["bbx"] =
                new List<object?> { 1.5, 2L, 3L, 4L }, ["easy"] = new List<object?> { 0L, 300L } } },
            ["name"] = "é",
            ["t"] = new object?[] { null, true, -70000L, long.MaxValue },
        }));
        var python = Process.Start(new ProcessStartInfo("python3",
            ["-c", "import pickle,sys; print(repr(pickle.load(open(sys.argv[1], 'rb'))))", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string printed = python.StandardOutput.ReadToEnd().Trim();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, python.StandardError.ReadToEnd());
        Assert.Equal("{'gnd': [{'bbx': [1.5, 2, 3, 4], 'easy': [0, 300]}], 'name': 'é', 't': (None, True, -70000, " +
                     "9223372036854775807)}", printed);
    }

    [Theory]
    [InlineData(0x94, 1_000_001, "more than 1000000 memo entries")] // MEMOIZE after one None
    [InlineData((byte)'N', 1_000_002, "more than 1000000 items on the stack")]
    [InlineData((byte)'(', 1_001, "MARKs nested more than 1000 deep")]
    public void PicklesThatGrowWithoutEndAreStopped(byte opcode, int repeats, string problem)
    {
        var data = new byte[3 + repeats];
        (data[0], data[1], data[2]) = (0x80, 2, (byte)'N');
        data.AsSpan(3).Fill(opcode);
        var error = Assert.Throws<InputException>(() => PickleReader.Load(data, "big.pkl"));
        Assert.StartsWith("big.pkl: pickle offset ", error.Message);
        Assert.EndsWith(problem, error.Message);
    }
}
