using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using static Cfcd.IO.PickleOpcodes;

namespace Cfcd.Tests.IO;

/// <summary>A tensor as a state dict pickles it, with whatever sizes a test declares.</summary>
internal sealed record StoredTensor(string StorageKey, long StorageElements, long Offset, long[] Shape, long[] Strides,
    string StorageType = "FloatStorage")
{
    /// <summary>A contiguous tensor owning a storage of its own size.</summary>
    public static StoredTensor Contiguous(string storageKey, params long[] shape)
    {
        var strides = new long[shape.Length];
        long step = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
            (strides[i], step) = (step, step * shape[i]);
        return new StoredTensor(storageKey, step, 0, shape, strides);
    }
}

/// <summary>
/// Writes <c>torch.save</c> files byte by byte, as PyTorch lays them out (a zip of stored entries under
/// <c>archive/</c>, or the legacy run of pickles), so tests can declare sizes no honest writer would.
/// </summary>
internal static class TorchSaveFiles
{
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356");

    /// <summary>
    /// data.pkl of <c>{key: tensor}</c>, nested under <paramref name="wrapper"/> (e.g. model_state) if given.
    /// </summary>
    public static byte[] StateDict(IEnumerable<(object Key, StoredTensor Tensor)> entries, string? wrapper = null)
    {
        var pickle = new MemoryStream();
        pickle.Write([Proto, 2]);
        if (wrapper is not null)
        {
            pickle.WriteByte(EmptyDict);
            WriteValue(pickle, wrapper);
        }
        pickle.WriteByte(EmptyDict);
        pickle.WriteByte(Mark);
        foreach (var (key, tensor) in entries)
        {
            WriteValue(pickle, key);
            WriteTensor(pickle, tensor);
        }
        pickle.WriteByte(SetItems);
        if (wrapper is not null)
            pickle.WriteByte(SetItem);
        pickle.WriteByte(Stop);
        return pickle.ToArray();
    }

    /// <summary>
    /// A zip checkpoint: <c>archive/data.pkl</c> and one entry per storage, stored unless told otherwise.
    /// </summary>
    public static string Zip(string folder, byte[] dataPickle, IReadOnlyDictionary<string, byte[]>? storages = null,
        CompressionLevel storageCompression = CompressionLevel.NoCompression)
    {
        string path = Path.Combine(folder, $"hostile{Guid.NewGuid():N}.pth");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var stream = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
            stream.Write(dataPickle);
        foreach (var (key, bytes) in storages ?? new Dictionary<string, byte[]>())
            using (var stream = zip.CreateEntry($"archive/data/{key}", storageCompression).Open())
                stream.Write(bytes);
        return path;
    }

    /// <summary>
    /// A legacy checkpoint: magic, protocol, system info, the state pickle, the key list, then each storage.
    /// </summary>
    public static string Legacy(string folder, byte[] statePickle,
        IEnumerable<(string Key, long Count, byte[] Bytes)> storages)
    {
        var list = storages.ToList();
        var file = new MemoryStream();
        file.Write(Pickle(stream => WriteLong(stream, LegacyMagic.ToByteArray())));
        file.Write(Pickle(stream => WriteValue(stream, 1001L)));
        file.Write(Pickle(stream =>
        {
            stream.WriteByte(EmptyDict);
            WriteValue(stream, "little_endian");
            stream.WriteByte(NewTrue);
            stream.WriteByte(SetItem);
        }));
        file.Write(statePickle);
        file.Write(Pickle(stream =>
        {
            stream.WriteByte(EmptyList);
            stream.WriteByte(Mark);
            foreach (var (key, _, _) in list)
                WriteValue(stream, key);
            stream.WriteByte(Appends);
        }));
        foreach (var (_, count, bytes) in list)
        {
            var countBytes = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(countBytes, count);
            file.Write(countBytes);
            file.Write(bytes);
        }
        string path = Path.Combine(folder, $"hostile{Guid.NewGuid():N}.pyth");
        File.WriteAllBytes(path, file.ToArray());
        return path;
    }

    private static byte[] Pickle(Action<Stream> body)
    {
        var stream = new MemoryStream();
        stream.Write([Proto, 2]);
        body(stream);
        stream.WriteByte(Stop);
        return stream.ToArray();
    }

    // _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())
    private static void WriteTensor(Stream pickle, StoredTensor tensor)
    {
        WriteGlobal(pickle, "torch._utils", "_rebuild_tensor_v2");
        pickle.WriteByte(Mark);
        pickle.WriteByte(Mark);
        WriteValue(pickle, "storage");
        WriteGlobal(pickle, "torch", tensor.StorageType);
        WriteValue(pickle, tensor.StorageKey);
        WriteValue(pickle, "cpu");
        WriteValue(pickle, tensor.StorageElements);
        pickle.WriteByte(MarkTuple);
        pickle.WriteByte(BinPersId);
        WriteValue(pickle, tensor.Offset);
        WriteTuple(pickle, tensor.Shape);
        WriteTuple(pickle, tensor.Strides);
        pickle.WriteByte(NewFalse);
        WriteGlobal(pickle, "collections", "OrderedDict");
        pickle.WriteByte(EmptyTuple);
        pickle.WriteByte(Reduce);
        pickle.WriteByte(MarkTuple);
        pickle.WriteByte(Reduce);
    }

    private static void WriteTuple(Stream pickle, long[] values)
    {
        pickle.WriteByte(Mark);
        foreach (long value in values)
            WriteValue(pickle, value);
        pickle.WriteByte(MarkTuple);
    }

    private static void WriteGlobal(Stream pickle, string module, string name)
    {
        pickle.WriteByte(Global);
        pickle.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void WriteValue(Stream pickle, object value)
    {
        switch (value)
        {
            case string text:
                var utf8 = Encoding.UTF8.GetBytes(text);
                var header = new byte[5];
                header[0] = BinUnicode;
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(1), utf8.Length);
                pickle.Write(header);
                pickle.Write(utf8);
                break;
            case long number:
                var bytes = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(bytes, number);
                WriteLong(pickle, bytes);
                break;
            default:
                throw new ArgumentException($"cannot write a {value.GetType().Name}");
        }
    }

    private static void WriteLong(Stream pickle, byte[] littleEndian)
    {
        pickle.WriteByte(Long1);
        pickle.WriteByte((byte)littleEndian.Length);
        pickle.Write(littleEndian);
    }
}
