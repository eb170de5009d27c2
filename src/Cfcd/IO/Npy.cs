using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;

namespace Cfcd.IO;

/// <summary>Element types cfcd reads from .npy files (little-endian); all are returned as float32.</summary>
public enum NpyType { Float16, Float32, Float64 }

/// <summary>The header of a NumPy .npy file: element type, shape and where the data starts.</summary>
public sealed record NpyHeader(NpyType Type, long[] Shape, long DataOffset)
{
    public int ElementSize => Type switch { NpyType.Float16 => 2, NpyType.Float32 => 4, _ => 8 };

    public long Rows => Shape.Length > 0 ? Shape[0] : 1;

    /// <summary>Elements per row (the product of all dimensions but the first).</summary>
    public long RowLength => Shape.Skip(1).Aggregate(1L, (product, dimension) => product * dimension);

    /// <summary>Bytes of data the shape needs (the reader has checked that this does not overflow).</summary>
    public long DataBytes => Rows * RowLength * ElementSize;
}

/// <summary>
/// NumPy .npy files (format versions 1 to 3): float16/32/64 little-endian in C order. Writes float32
/// version-1 files that <c>numpy.load</c> reads.
/// </summary>
public static class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a whole 2-D array as float32 [rows, columns].</summary>
    public static (float[] Values, int Rows, int Columns) ReadMatrix(string path)
    {
        using var stream = OpenRead(path);
        var header = ReadHeader(stream, path);
        RequireMatrix(header, path);
        if (header.DataBytes > Array.MaxLength)
            throw new InputException($"{path}: {header.DataBytes} bytes do not fit in memory as one array; " +
                "use memory-mapped reading");
        long count = header.Rows * header.RowLength;
        var raw = new byte[header.DataBytes];
        stream.ReadExactly(raw);
        var values = new float[count];
        Decode(raw, header.Type, values);
        return (values, (int)header.Rows, (int)header.RowLength);
    }

    public static NpyHeader ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        return ReadHeader(stream, path);
    }

    /// <summary>numpy's own reader refuses longer headers by default (max_header_size); so does cfcd.</summary>
    internal const int MaxHeaderBytes = 10_000;

    public static NpyHeader ReadHeader(Stream stream, string path)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8 || !prefix[..6].SequenceEqual(Magic))
            throw new InputException($"{path}: not a NumPy .npy file (bad magic)");
        byte major = prefix[6];
        int lengthSize = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new InputException($"{path}: .npy format version {major}.{prefix[7]} is not supported (1 to " +
                                          "3 are)"),
        };
        Span<byte> lengthBytes = stackalloc byte[4];
        if (stream.ReadAtLeast(lengthBytes[..lengthSize], lengthSize, throwOnEndOfStream: false) < lengthSize)
            throw new InputException($"{path}: truncated .npy header");
        long headerLength = lengthSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new InputException($"{path}: the .npy header says it is {headerLength} bytes long; " +
                $"numpy and cfcd read headers of at most {MaxHeaderBytes}");
        var text = new byte[headerLength];
        if (stream.ReadAtLeast(text, text.Length, throwOnEndOfStream: false) < text.Length)
            throw new InputException($"{path}: truncated .npy header");
        var header = ParseHeader(major == 3 ? Encoding.UTF8.GetString(text) : Encoding.Latin1.GetString(text),
            8 + lengthSize + headerLength, path);

        long available = stream.CanSeek ? stream.Length - header.DataOffset : long.MaxValue;
        if (available < header.DataBytes)
            throw new InputException($"{path}: truncated: shape ({string.Join(", ", header.Shape)}) needs " +
                $"{header.DataBytes} bytes of data beyond the header, {available} are there");
        return header;
    }

    /// <summary>Writes float32 [rows, columns] as a version-1 .npy file, atomically (temporary file, then
    /// rename).</summary>
    public static void WriteMatrix(string path, ReadOnlySpan<float> values, int rows, int columns)
    {
        if ((long)rows * columns != values.Length)
            throw new ArgumentException($"{values.Length} values are not {rows} x {columns}");
        using var writer = new NpyWriter(path, rows, columns);
        writer.Write(values);
        writer.Complete();
    }

    internal static byte[] FormatHeader(long rows, int columns)
    {
        string dictionary = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        // Magic, version, length, dictionary and padding to a multiple of 64 bytes, ending in a newline.
        int unpadded = 10 + dictionary.Length + 1;
        string text = dictionary + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var header = new byte[10 + text.Length];
        Magic.CopyTo(header);
        header[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)text.Length);
        Encoding.Latin1.GetBytes(text, header.AsSpan(10));
        return header;
    }

    /// <summary>Converts raw little-endian elements to float32.</summary>
    public static void Decode(ReadOnlySpan<byte> raw, NpyType type, Span<float> destination)
    {
        switch (type)
        {
            case NpyType.Float32:
                MemoryMarshal.Cast<byte, float>(raw).CopyTo(destination);
                break;
            case NpyType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(raw);
                for (int i = 0; i < halves.Length; i++)
                    destination[i] = (float)halves[i];
                break;
            case NpyType.Float64:
                var doubles = MemoryMarshal.Cast<byte, double>(raw);
                for (int i = 0; i < doubles.Length; i++)
                    destination[i] = (float)doubles[i];
                break;
        }
    }

    internal static void RequireMatrix(NpyHeader header, string path)
    {
        if (header.Shape.Length != 2)
            throw new InputException($"{path}: expected a 2-D array [rows, dimensions], got shape " +
                                     $"({string.Join(", ", header.Shape)})");
        if (header.RowLength == 0)
            throw new InputException($"{path}: shape ({string.Join(", ", header.Shape)}): rows of 0 dimensions");
        if (header.RowLength > Array.MaxLength)
            throw new InputException($"{path}: {header.RowLength} columns; a feature dimension of at most " +
                $"{Array.MaxLength} is read");
    }

    internal static FileStream OpenRead(string path) => InputFile.OpenRead(path);

    private static NpyHeader ParseHeader(string text, long dataOffset, string path)
    {
        var (descr, fortranOrder, shape) = NpyHeaderParser.Parse(text, path);
        if (fortranOrder)
            throw new InputException($"{path}: Fortran-order arrays are not supported; save with " +
                                     "numpy.ascontiguousarray");
        var type = descr switch
        {
            "<f4" => NpyType.Float32,
            "<f2" => NpyType.Float16,
            "<f8" => NpyType.Float64,
            var other => throw new InputException($"{path}: element type '{InputText.Quote(other)}' is not supported " +
                "(little-endian float16, float32 or float64 are)"),
        };
        var header = new NpyHeader(type, shape, dataOffset);
        if (ShapeSize.Bytes(shape, header.ElementSize) is null)
            throw new InputException($"{path}: the .npy shape ({string.Join(", ", shape)}) does not fit in 2^63 bytes");
        return header;
    }
}

/// <summary>
/// Streams float32 rows into a version-1 .npy file of a known shape. The file appears under its name only
/// on <see cref="Complete"/> (temporary file, then rename); an abandoned writer leaves no partial file.
/// </summary>
internal sealed class NpyWriter : IDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly long _expected;
    private readonly FileStream _stream;
    private long _written;

    public NpyWriter(string path, long rows, int columns)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("writing .npy on a big-endian machine");
        _path = path;
        _temporary = $"{path}.{Environment.ProcessId}.tmp";
        _expected = rows * columns;
        _stream = new FileStream(_temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _stream.Write(Npy.FormatHeader(rows, columns));
    }

    public void Write(ReadOnlySpan<float> values)
    {
        if (_written + values.Length > _expected)
            throw new InvalidOperationException($"{_path}: more values than the declared shape holds");
        _stream.Write(MemoryMarshal.AsBytes(values));
        _written += values.Length;
    }

    public void Complete()
    {
        if (_written != _expected)
            throw new InvalidOperationException($"{_path}: {_written} values written, the shape needs {_expected}");
        _stream.Dispose();
        File.Move(_temporary, _path, overwrite: true);
    }

    public void Dispose()
    {
        _stream.Dispose();
        if (File.Exists(_temporary))
            File.Delete(_temporary);
    }
}

/// <summary>
/// A 2-D .npy file mapped into memory: rows are read in blocks as float32 without loading the file,
/// so a 2 GB R1M feature file costs page cache, not heap.
/// </summary>
internal sealed class MappedNpyMatrix : IFeatureRows, IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly NpyHeader _header;

    public MappedNpyMatrix(string path)
    {
        Name = path;
        _header = Npy.ReadHeader(path);
        Npy.RequireMatrix(_header, path);
        Rows = _header.Rows;
        Columns = (int)_header.RowLength;
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
    }

    public string Name { get; }
    public long Rows { get; }
    public int Columns { get; }

    /// <summary>Copies rows [first, first + count) as float32 into <paramref name="destination"/>.</summary>
    public unsafe void ReadRows(long first, int count, Span<float> destination)
    {
        long bytes = (long)count * Columns * _header.ElementSize;
        byte* start = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            var raw = new ReadOnlySpan<byte>(start + _view.PointerOffset + _header.DataOffset
                + first * Columns * _header.ElementSize, checked((int)bytes));
            Npy.Decode(raw, _header.Type, destination[..(count * Columns)]);
        }
        finally
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }
}
