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
public sealed class TorchCheckpoint : IDisposable
{
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture);
    private const long LegacyProtocol = 1001;

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
            throw new InputException($"{path}: a PyTorch zip checkpoint has exactly one data.pkl; this has {pickle.Count}");
        _zipPrefix = pickle[0].FullName[..^"data.pkl".Length];
        var byteOrder = zip.GetEntry(_zipPrefix + "byteorder");
        if (byteOrder is not null && ReadEntry(byteOrder) is var order && System.Text.Encoding.ASCII.GetString(order) != "little")
            throw new InputException($"{path}: big-endian checkpoints are not supported");
        var resolver = new TorchPickle();
        Root = PickleReader.Load(ReadEntry(pickle[0]), $"{path}:{pickle[0].FullName}", resolver);
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
        if (Next(null) is Dictionary<object, object?> systemInfo && systemInfo.TryGetValue("little_endian", out var little) && little is false)
            throw new InputException($"{path}: big-endian checkpoints are not supported");
        var resolver = new TorchPickle();
        Root = Next(resolver);
        _storages = resolver.StoragesByKey;
        if (Next(null) is not List<object?> keys)
            throw new InputException($"{path}: the legacy checkpoint has no storage key list");
        foreach (var key in keys.OfType<string>())
        {
            if (!_storages.TryGetValue(key, out var storage))
                throw new InputException($"{path}: storage {key} is listed but never used");
            if (position > bytes.Length - 8)
                throw new InputException($"{path}: truncated: storage {key} is missing");
            long elements = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position, 8));
            if (elements != storage.Elements)
                throw new InputException($"{path}: storage {key} holds {elements} elements, the pickle says {storage.Elements}");
            position += 8;
            _legacyOffsets[key] = position;
            long byteCount = elements * ElementSize(storage.ElementType);
            if (byteCount > bytes.Length - position)
                throw new InputException($"{path}: truncated: storage {key} needs {byteCount} bytes, {bytes.Length - position} remain");
            position += (int)byteCount;
        }
    }

    /// <summary>The unpickled object: dictionaries, lists, tuples, scalars and <see cref="PickledTensor"/>s.</summary>
    public object? Root { get; }

    public static TorchCheckpoint Open(string path)
    {
        byte[] start = new byte[4];
        try
        {
            using var stream = File.OpenRead(path);
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
            return new TorchCheckpoint(path, File.ReadAllBytes(path));
        throw new InputException($"{path}: not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save pickle)");
    }

    /// <summary>A new CPU tensor holding <paramref name="pickled"/>'s elements, contiguous, in its stored type.</summary>
    public Tensor Materialize(PickledTensor pickled)
    {
        var storage = pickled.Storage;
        if (!_storages.TryGetValue(storage.Key, out var known) || !ReferenceEquals(known, storage))
            throw new ArgumentException("the tensor does not belong to this checkpoint", nameof(pickled));
        long byteCount = storage.Elements * ElementSize(storage.ElementType);
        using var flat = empty([storage.Elements], storage.ElementType);
        if (_zip is not null)
        {
            var entry = _zip.GetEntry($"{_zipPrefix}data/{storage.Key}")
                ?? throw new InputException($"{_path}: storage {storage.Key} is missing from the archive");
            if (entry.Length != byteCount)
                throw new InputException($"{_path}: storage {storage.Key} has {entry.Length} bytes, the pickle says {byteCount}");
            flat.bytes = ReadEntry(entry);
        }
        else
        {
            if (!_legacyOffsets.TryGetValue(storage.Key, out long offset))
                throw new InputException($"{_path}: storage {storage.Key} is not in the file");
            flat.bytes = _legacyBytes.AsSpan((int)offset, (int)byteCount);
        }
        using var view = flat.as_strided(pickled.Shape, pickled.Strides, pickled.StorageOffset);
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
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException error)
        {
            throw new InputException($"{path}: a damaged or truncated zip archive ({error.Message})", error);
        }
    }

    private byte[] ReadEntry(ZipArchiveEntry entry)
    {
        try
        {
            using var stream = entry.Open();
            var bytes = new byte[entry.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception error) when (error is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InputException($"{_path}: entry {entry.FullName} is damaged ({error.Message})", error);
        }
    }
}
