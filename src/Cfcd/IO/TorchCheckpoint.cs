using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.IO;

/// <summary>
/// A file written by <c>torch.save</c>, read without running Python code: the zip format (PyTorch 1.6 and later:
/// <c>data.pkl</c> plus one entry per storage) and the legacy format before it (consecutive pickles, then the raw
/// storages), which old pycls ImageNet weights use. <see cref="Root"/> is the unpickled object with
/// <see cref="PickledTensor"/> leaves; <see cref="Materialize"/> reads one tensor's data.
/// </summary>
internal sealed class TorchCheckpoint : IDisposable
{
    private static readonly BigInteger LegacyMagic =
        BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture);
    private const long LegacyProtocol = 1001;
    private const long MaxPickleBytes = 1L << 30;
    private const long MaxByteOrderBytes = 16;
    // torch.save stores its entries uncompressed; a re-compressed archive is accepted while its entries inflate no
    // more than real weights can (a zip bomb inflates about a thousand times).
    private const long MaxInflation = 32;
    private const long InflationSlack = 1 << 16;

    private readonly string _path;
    private readonly ZipArchive? _zip;
    private readonly string _zipPrefix = "";
    private readonly byte[]? _legacyBytes;
    private readonly Dictionary<string, long> _legacyOffsets = new();
    private readonly IReadOnlyDictionary<string, TorchStorage> _storages;

    private TorchCheckpoint(string path, ZipArchive zip)
    {
        _path = path;
        _zip = zip;
        var pickle = zip.Entries.Where(entry => entry.FullName.EndsWith("data.pkl", StringComparison.Ordinal)).ToList();
        if (pickle.Count != 1)
            throw new InputException($"{path}: a PyTorch zip checkpoint has exactly one data.pkl; this has " +
                                     $"{pickle.Count}");
        _zipPrefix = pickle[0].FullName[..^"data.pkl".Length];
        var byteOrder = zip.GetEntry(_zipPrefix + "byteorder");
        if (byteOrder is not null && ReadEntry(byteOrder, MaxByteOrderBytes) is var order
            && System.Text.Encoding.ASCII.GetString(order) != "little")
            throw new InputException($"{path}: big-endian checkpoints are not supported");
        var resolver = new TorchPickle();
        string pickleName = $"{path}:{InputText.Quote(pickle[0].FullName)}";
        Root = PickleReader.Load(ReadEntry(pickle[0], MaxPickleBytes), pickleName, resolver);
        _storages = resolver.StoragesByKey;
    }

    private TorchCheckpoint(string path, byte[] bytes)
    {
        _path = path;
        _legacyBytes = bytes;
        int position = 0;
        object? Next(IPickleResolver? resolver)
        {
            var value = PickleReader.Load(bytes.AsSpan(position), path, resolver, out int length);
            position += length;
            return value;
        }
        if (Next(null) is not BigInteger magic || magic != LegacyMagic)
            throw new InputException($"{path}: not a PyTorch checkpoint (no torch.save magic number)");
        if (Next(null) is not long protocol || protocol != LegacyProtocol)
            throw new InputException($"{path}: unsupported legacy torch.save protocol");
        if (Next(null) is Dictionary<object, object?> systemInfo
            && systemInfo.TryGetValue("little_endian", out var little) && little is false)
            throw new InputException($"{path}: big-endian checkpoints are not supported");
        var resolver = new TorchPickle();
        Root = Next(resolver);
        _storages = resolver.StoragesByKey;
        if (Next(null) is not List<object?> keys)
            throw new InputException($"{path}: the legacy checkpoint has no storage key list");
        foreach (var key in keys.OfType<string>())
        {
            string storageName = $"{path}: storage {InputText.Quote(key)}";
            if (!_storages.TryGetValue(key, out var storage))
                throw new InputException($"{storageName} is listed but never used");
            if (position > bytes.Length - 8)
                throw new InputException($"{path}: truncated: storage {InputText.Quote(key)} is missing");
            long elements = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position, 8));
            if (elements != storage.Elements)
                throw new InputException(
                    $"{storageName} holds {elements} elements, the pickle says {storage.Elements}");
            position += 8;
            _legacyOffsets[key] = position;
            int size = ElementSize(storage.ElementType);
            if (elements > (bytes.Length - position) / size)
                throw new InputException($"{path}: truncated: storage {InputText.Quote(key)} needs {elements} " +
                                         $"elements of {size} bytes, {bytes.Length - position} bytes remain");
            position += (int)(elements * size);
        }
    }

    /// <summary>The unpickled object: dictionaries, lists, tuples, scalars and <see cref="PickledTensor"/>s.</summary>
    public object? Root { get; }

    /// <summary>Which torch.save format the file has.</summary>
    public string Format => _zip is null ? "PyTorch legacy file" : "PyTorch zip file";

    public static TorchCheckpoint Open(string path)
    {
        byte[] start = new byte[4];
        try
        {
            using var stream = InputFile.OpenRead(path);
            if (stream.ReadAtLeast(start, 4, throwOnEndOfStream: false) < 4)
                throw new InputException($"{path}: too short to be a PyTorch checkpoint");
            if (start.AsSpan().SequenceEqual("PK\u0003\u0004"u8))
            {
                var zip = OpenZip(path);
                try
                {
                    return new TorchCheckpoint(path, zip);
                }
                catch
                {
                    zip.Dispose();
                    throw;
                }
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot read ({error.Message})", error);
        }
        if (start[0] == 0x80 && start[1] == 2)
            return new TorchCheckpoint(path, InputFile.ReadAllBytes(path));
        throw new InputException($"{path}: not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save " +
                                 "pickle)");
    }

    /// <summary>
    /// A new CPU tensor holding <paramref name="pickled"/>'s elements, contiguous, in its stored type. Only the part
    /// of the storage the view covers is read, and only after the storage is known to be in the file.
    /// </summary>
    public Tensor Materialize(PickledTensor pickled)
    {
        var storage = pickled.Storage;
        if (!_storages.TryGetValue(storage.Key, out var known) || !ReferenceEquals(known, storage))
            throw new ArgumentException("the tensor does not belong to this checkpoint", nameof(pickled));
        int size = ElementSize(storage.ElementType);
        long span = pickled.StorageSpan ?? throw new ArgumentException("the tensor's size overflows", nameof(pickled));
        if (span * size > Array.MaxLength)
            throw new InputException($"{_path}: a tensor of shape [{string.Join(", ", pickled.Shape)}] in storage " +
                                     $"{InputText.Quote(storage.Key)} spans {span * size} bytes, too many to read");
        var bytes = ReadStorage(storage, pickled.StorageOffset * size, (int)(span * size));
        using var covered = empty([span], storage.ElementType);
        if (span > 0)
            covered.bytes = bytes;
        using var view = covered.as_strided(pickled.Shape, pickled.Strides, 0);
        return view.contiguous().clone();
    }

    public void Dispose() => _zip?.Dispose();

    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no storage of this type"),
    };

    private static ZipArchive OpenZip(string path)
    {
        var stream = InputFile.OpenRead(path);
        try
        {
            var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            // .NET 10 reads the central directory on first use of Entries: a damaged one must fail here.
            _ = zip.Entries.Count;
            return zip;
        }
        catch (InvalidDataException error)
        {
            stream.Dispose();
            throw new InputException($"{path}: a damaged or truncated zip archive ({error.Message})", error);
        }
    }

    /// <summary>
    /// <paramref name="count"/> bytes of a storage from <paramref name="begin"/>, its size checked first.
    /// </summary>
    private byte[] ReadStorage(TorchStorage storage, long begin, int count)
    {
        string storageName = $"{_path}: storage {InputText.Quote(storage.Key)}";
        long byteCount = storage.Elements * ElementSize(storage.ElementType);
        if (_zip is null)
            return _legacyOffsets.TryGetValue(storage.Key, out long offset)
                ? _legacyBytes.AsSpan((int)(offset + begin), count).ToArray()
                : throw new InputException($"{storageName} is not in the file");
        var entry = _zip.GetEntry($"{_zipPrefix}data/{storage.Key}")
            ?? throw new InputException($"{storageName} is missing from the archive");
        if (entry.Length != byteCount)
            throw new InputException($"{storageName} has {entry.Length} bytes, the pickle says {byteCount}");
        return ReadEntry(entry, byteCount, begin, count);
    }

    private byte[] ReadEntry(ZipArchiveEntry entry, long limit) => ReadEntry(entry, limit, 0, (int)entry.Length);

    /// <summary>
    /// <paramref name="count"/> bytes of an entry from <paramref name="begin"/>, once its declared size is known to
    /// be at most <paramref name="limit"/> and plausible for what the archive holds.
    /// </summary>
    private byte[] ReadEntry(ZipArchiveEntry entry, long limit, long begin, int count)
    {
        string entryName = $"{_path}: entry {InputText.Quote(entry.FullName)}";
        if (entry.Length > limit)
            throw new InputException($"{entryName} declares {entry.Length} bytes, more than the {limit} allowed");
        if (entry.Length > entry.CompressedLength * MaxInflation + InflationSlack)
            throw new InputException($"{entryName} declares {entry.Length} bytes from {entry.CompressedLength} " +
                                     $"compressed ones, more than {MaxInflation} times as many");
        try
        {
            using var stream = entry.Open();
            Skip(stream, begin);
            var bytes = new byte[count];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception error) when (error is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InputException($"{entryName} is damaged ({error.Message})", error);
        }
    }

    private static void Skip(Stream stream, long count)
    {
        if (stream.CanSeek)
        {
            stream.Seek(count, SeekOrigin.Current);
            return;
        }
        var scratch = new byte[(int)Math.Min(count, 1 << 16)];
        for (long left = count; left > 0;)
        {
            int chunk = (int)Math.Min(left, scratch.Length);
            stream.ReadExactly(scratch, 0, chunk);
            left -= chunk;
        }
    }
}
