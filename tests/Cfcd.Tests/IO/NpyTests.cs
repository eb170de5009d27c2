using System.Buffers.Binary;
using System.Text;
using Cfcd.IO;

namespace Cfcd.Tests.IO;

public class NpyTests
{
    private static string Write(byte[] bytes)
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "a.npy");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A .npy file as numpy lays it out, with any header text, version and payload.</summary>
    internal static byte[] NpyBytes(string dictionary, byte[] payload, int version = 1)
    {
        int lengthSize = version == 1 ? 2 : 4;
        string text = dictionary.PadRight(64 - 8 - lengthSize - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0 };
        var length = new byte[lengthSize];
        if (version == 1)
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)text.Length);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
        bytes.AddRange(length);
        bytes.AddRange(Encoding.ASCII.GetBytes(text));
        bytes.AddRange(payload);
        return bytes.ToArray();
    }

    [Fact]
    public void WriteThenReadRoundTripsAndAlignsTheHeader()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "m.npy");
        float[] values = [1, 2, 3, -4.5f, float.Epsilon, 6];
        Npy.WriteMatrix(path, values, 2, 3);
        var (read, rows, columns) = Npy.ReadMatrix(path);
        Assert.Equal(values, read);
        Assert.Equal((2, 3), (rows, columns));
        Assert.Equal(0, Npy.ReadHeader(path).DataOffset % 64);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void ReadsFloat16AndFloat64AndVersions2And3()
    {
        var halves = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(halves, (Half)1.5);
        BinaryPrimitives.WriteHalfLittleEndian(halves.AsSpan(2), (Half)(-2));
        var (f16, _, _) =
            Npy.ReadMatrix(Write(NpyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (1, 2), }", halves)));
        Assert.Equal([1.5f, -2f], f16);

        var doubles = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(doubles, 0.25);
        BinaryPrimitives.WriteDoubleLittleEndian(doubles.AsSpan(8), 1e10);
        var (f64, rows, columns) =
            Npy.ReadMatrix(Write(NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", doubles,
            version: 2)));
        Assert.Equal([0.25f, 1e10f], f64);
        Assert.Equal((2, 1), (rows, columns));

        var single = BitConverter.GetBytes(7f);
        Assert.Equal([7f], Npy.ReadMatrix(Write(NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }",
            single, version: 3))).Values);
    }

    [Theory]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 1), }", 4,
        "element type '>f4' is not supported")]
    [InlineData("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 1), }", 8,
        "element type '<i8' is not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", 4,
        "Fortran-order arrays are not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12,
        "expected a 2-D array [rows, dimensions], got shape (3)")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 12,
        "truncated: shape (2, 2) needs 16 bytes of data beyond the header, 12 are there")]
    [InlineData("{'descr': '<f4'}", 4, "malformed .npy header")]
    public void BadFilesAreNamedWithTheProblem(string dictionary, int payloadBytes, string expected)
    {
        string path = Write(NpyBytes(dictionary, new byte[payloadBytes]));
        var error = Assert.Throws<InputException>(() => Npy.ReadMatrix(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void NotNpyAtAll()
    {
        string path = Write(Encoding.ASCII.GetBytes("hello, world"));
        Assert.Equal($"{path}: not a NumPy .npy file (bad magic)",
            Assert.Throws<InputException>(() => Npy.ReadMatrix(path)).Message);
        Assert.StartsWith("/nonexistent.npy: cannot open",
            Assert.Throws<InputException>(() => Npy.ReadMatrix("/nonexistent.npy")).Message);
    }

    [Fact]
    public void MappedRowsEqualTheWholeMatrix()
    {
        string path = TestPaths.Fixture("Retrieval", "roxford5k_db.npy");
        var (values, rows, columns) = Npy.ReadMatrix(path);
        using var mapped = new MappedNpyMatrix(path);
        Assert.Equal((rows, columns), ((int)mapped.Rows, mapped.Columns));
        var block = new float[3 * columns];
        mapped.ReadRows(4990, 3, block);
        Assert.Equal(values.AsSpan(4990 * columns, 3 * columns).ToArray(), block);
    }

    [Fact]
    public void AnAbandonedWriterLeavesNoFile()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "partial.npy");
        using (var writer = new NpyWriter(path, 2, 2))
            writer.Write([1f, 2f]);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    /// <summary>
    /// A .npy file whose header length field says <paramref name="declared"/> bytes and little follows.
    /// </summary>
    internal static byte[] DeclaredHeaderLength(uint declared) =>
        [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, .. BitConverter.GetBytes(declared),
            (byte)'{'];

    [Theory]
    [InlineData(3_000_000_000u)]
    [InlineData(10_001u)]
    public void AHugeDeclaredHeaderIsRefusedUnread(uint declared)
    {
        string path = Write(DeclaredHeaderLength(declared));
        var error = Assert.Throws<InputException>(() => Npy.ReadHeader(path));
        Assert.Contains($"the .npy header says it is {declared} bytes long", error.Message);
    }

    [Theory]
    // (2^62 + 1) x 8 float32 overflowed rows x columns x 4 and passed the size check; the mapped reader then read
    // past its mapping.
    [InlineData("(4611686018427387905, 8)", "does not fit in 2^63 bytes")]
    [InlineData("(3, 4611686018427387905)", "does not fit in 2^63 bytes")]
    [InlineData("(1, 99999999999999999999)", "a shape dimension that is not a non-negative integer within 2^63")]
    [InlineData("(1, -8)", "a shape dimension that is not a non-negative integer")]
    [InlineData("(4, 0)", "rows of 0 dimensions")]
    [InlineData("(2, 3000000000)", "truncated: shape (2, 3000000000) needs 24000000000 bytes")]
    public void ShapesThatOverflowOrLieAreRefused(string shape, string expected)
    {
        string path = Write(NpyBytes($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}", new byte[32]));
        var error = Assert.Throws<InputException>(() => new MappedNpyMatrix(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'shape': (2, 2), }",
        "the key 'shape' appears twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", "missing [shape]")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'x': True, }", "unexpected [x]")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (1, 1), }", "expected a string, a tuple, True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), } junk", "text after the closing brace")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, }", "a shape dimension that is not")]
    public void HeadersNumpyWouldNotReadAreRefused(string dictionary, string expected)
    {
        string path = Write(NpyBytes(dictionary, new byte[4]));
        var error = Assert.Throws<InputException>(() => Npy.ReadMatrix(path));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void HeaderBytesAreQuotedPrintableAndCut()
    {
        string control = Write(NpyBytes("{'descr': '<f4\u0001\r\n', 'fortran_order': False, 'shape': (1, 1), }",
            new byte[4]));
        var message = Assert.Throws<InputException>(() => Npy.ReadMatrix(control)).Message;
        Assert.Contains("element type '<f4\\x01\\x0d\\x0a' is not supported", message);

        string longKey = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), '" + new string('k', 5000) +
            "': True}";
        message = Assert.Throws<InputException>(() => Npy.ReadMatrix(Write(NpyBytes(longKey, new byte[4])))).Message;
        Assert.Contains("... (5000 characters)", message);
        Assert.True(message.Length < 600, message);
    }

    [Fact]
    public void AScalarAndAOneDimensionalArrayAreNotMatrices()
    {
        foreach (string shape in new[] { "()", "(5,)" })
        {
            string path = Write(NpyBytes($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}",
                new byte[20]));
            Assert.Contains("expected a 2-D array", Assert.Throws<InputException>(() => Npy.ReadMatrix(path)).Message);
        }
    }
}
