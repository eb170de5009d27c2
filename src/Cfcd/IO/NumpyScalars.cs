using System.Buffers.Binary;
using System.Numerics;

namespace Cfcd.IO;

/// <summary>
/// The numpy numbers a training checkpoint holds, read as plain C# values: the official trainers' cosine learning
/// rate is a <c>numpy.float64</c> in every optimiser param group. Pickle protocol 2 writes one as
/// <c>numpy.core.multiarray.scalar(numpy.dtype('f8'), _codecs.encode('...', 'latin1'))</c>, the dtype completed by
/// BUILD. These three names are all this knows (PyTorch's safe loader takes the same once a user allow-lists them),
/// and only for numeric dtypes in little-endian order; nothing is imported or called.
/// </summary>
internal static class NumpyScalars
{
    /// <summary>A numeric numpy dtype: its code (<c>f8</c>) and, once BUILD has run, its byte order.</summary>
    public sealed class Dtype(string code)
    {
        public string Code { get; } = code;

        public char? ByteOrder { get; set; }

        public int Size => int.Parse(Code.AsSpan(1), provider: System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The token for one of the three names.</summary>
    public sealed record Function(string Name)
    {
        public override string ToString() => Name;
    }

    private static readonly Function Scalar = new("numpy.core.multiarray.scalar");
    private static readonly Function DtypeConstructor = new("numpy.dtype");
    private static readonly Function Encode = new("_codecs.encode");

    private static readonly HashSet<string> NumericCodes =
        ["b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"];

    /// <summary>A token for <c>module.name</c> when it is one of the three names; null otherwise.</summary>
    public static object? Global(string module, string name) => (module, name) switch
    {
        // numpy 2 pickles name the module numpy._core.
        ("numpy.core.multiarray" or "numpy._core.multiarray", "scalar") => Scalar,
        ("numpy", "dtype") => DtypeConstructor,
        ("_codecs", "encode") => Encode,
        _ => null,
    };

    /// <summary>
    /// True when <paramref name="callable"/> is one of the three names; <paramref name="value"/> is what it makes.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The arguments are not those of a numeric scalar, dtype or latin-1 text.
    /// </exception>
    public static bool TryReduce(object callable, object?[] arguments, out object? value)
    {
        value = null;
        if (callable is not Function function)
            return false;
        if (function == DtypeConstructor)
            value = MakeDtype(arguments);
        else if (function == Encode)
            value = Latin1(arguments);
        else
            value = MakeScalar(arguments);
        return true;
    }

    /// <summary>
    /// Completes a dtype from its pickled state <c>(3, byte order, None, None, None, -1, -1, 0)</c>, the only state
    /// a numeric dtype has.
    /// </summary>
    public static Dtype Build(Dtype dtype, object? state)
    {
        if (state is not object?[] { Length: 8 } fields || fields[0] is not 3L || fields[1] is not string order
            || fields[2] is not null || fields[3] is not null || fields[4] is not null
            || fields[5] is not -1L || fields[6] is not -1L || fields[7] is not 0L)
            throw new InvalidDataException($"numpy dtype {dtype.Code} with a state a numeric dtype does not have");
        dtype.ByteOrder = (order, dtype.Size) switch
        {
            ("<", > 1) => '<',
            ("|", 1) => '|',
            (">", > 1) => throw new InvalidDataException($"numpy dtype >{dtype.Code}: big-endian values are not read"),
            _ => throw new InvalidDataException($"numpy dtype {dtype.Code} with byte order {InputText.Quote(order)}"),
        };
        return dtype;
    }

    private static Dtype MakeDtype(object?[] arguments)
    {
        if (arguments is not [string code, false, true])
            throw new InvalidDataException("numpy.dtype with arguments other than (code, False, True)");
        return NumericCodes.Contains(code)
            ? new Dtype(code)
            : throw new InvalidDataException($"numpy dtype {InputText.Quote(code)} is not a numeric type");
    }

    private static byte[] Latin1(object?[] arguments)
    {
        if (arguments is not [string text, "latin1" or "latin-1"])
            throw new InvalidDataException("_codecs.encode with arguments other than (text, 'latin1')");
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
            bytes[i] = text[i] <= 0xff
                ? (byte)text[i]
                : throw new InvalidDataException("_codecs.encode of text that is not latin-1");
        return bytes;
    }

    private static object MakeScalar(object?[] arguments)
    {
        if (arguments is not [Dtype dtype, byte[] bytes])
            throw new InvalidDataException("numpy scalar with arguments other than (dtype, bytes)");
        if (dtype.ByteOrder is null)
            throw new InvalidDataException($"numpy scalar of dtype {dtype.Code} before the dtype's state");
        if (bytes.Length != dtype.Size)
            throw new InvalidDataException($"numpy scalar of dtype {dtype.Code} with {bytes.Length} bytes");
        return dtype.Code switch
        {
            "b1" => bytes[0] != 0,
            "i1" => (long)(sbyte)bytes[0],
            "u1" => (long)bytes[0],
            "i2" => (long)BinaryPrimitives.ReadInt16LittleEndian(bytes),
            "u2" => (long)BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            "i4" => (long)BinaryPrimitives.ReadInt32LittleEndian(bytes),
            "u4" => (long)BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            "i8" => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            "u8" => BinaryPrimitives.ReadUInt64LittleEndian(bytes) is var large && large <= long.MaxValue
                ? (long)large
                : (BigInteger)large,
            "f2" => (double)BinaryPrimitives.ReadHalfLittleEndian(bytes),
            "f4" => (double)BinaryPrimitives.ReadSingleLittleEndian(bytes),
            _ => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        };
    }
}
