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
    private static byte[] NpyBytes(string dictionary, byte[] payload, int version = 1)
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
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void ReadsFloat16AndFloat64AndVersions2And3()
    {
        var halves = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(halves, (Half)1.5);
        BinaryPrimitives.WriteHalfLittleEndian(halves.AsSpan(2), (Half)(-2));
        var (f16, _, _) = Npy.ReadMatrix(Write(NpyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (1, 2), }", halves)));
        Assert.Equal([1.5f, -2f], f16);

        var doubles = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(doubles, 0.25);
        BinaryPrimitives.WriteDoubleLittleEndian(doubles.AsSpan(8), 1e10);
        var (f64, rows, columns) = Npy.ReadMatrix(Write(NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", doubles, version: 2)));
        Assert.Equal([0.25f, 1e10f], f64);
        Assert.Equal((2, 1), (rows, columns));

        var single = BitConverter.GetBytes(7f);
        Assert.Equal([7f], Npy.ReadMatrix(Write(NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", single, version: 3))).Values);
    }

    [Theory]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 1), }", 4, "element type '>f4' is not supported")]
    [InlineData("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 1), }", 8, "element type '<i8' is not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", 4, "Fortran-order arrays are not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12, "expected a 2-D array [rows, dimensions], got shape (3)")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 12, "truncated: shape (2, 2) needs 16 bytes of data beyond the header, 12 are there")]
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
        Assert.Equal($"{path}: not a NumPy .npy file (bad magic)", Assert.Throws<InputException>(() => Npy.ReadMatrix(path)).Message);
        Assert.StartsWith("/nonexistent.npy: cannot open", Assert.Throws<InputException>(() => Npy.ReadMatrix("/nonexistent.npy")).Message);
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
        Assert.False(File.Exists(path + ".tmp"));
    }
}
