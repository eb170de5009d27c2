using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.IO;

/// <summary>A safetensors file's tensors (CPU, in stored type) and its string metadata.</summary>
internal sealed record SafeTensorsFile(IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
/// mapping each name to dtype, shape and byte range, optional <c>__metadata__</c> strings, then the raw data.
/// </summary>
internal static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100_000_000;
    private const int MaxRank = 32;

    private static readonly Dictionary<string, ScalarType> TypesByName = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16, ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32,
        ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8, ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>Whether the file starts like a safetensors file (a plausible header length, then '{').</summary>
    public static bool Recognise(ReadOnlySpan<byte> start) =>
        start.Length >= 9 && BinaryPrimitives.ReadUInt64LittleEndian(start) is > 1 and < MaxHeaderBytes
            && start[8] == (byte)'{';

    public static SafeTensorsFile Read(string path)
    {
        try
        {
            using var stream = InputFile.OpenRead(path);
            var (entries, metadata, dataStart) = ReadHeader(stream, path);
            var tensors = new Dictionary<string, Tensor>();
            foreach (var entry in entries.OrderBy(entry => entry.Begin))
            {
                var bytes = new byte[entry.End - entry.Begin];
                stream.Position = dataStart + entry.Begin;
                stream.ReadExactly(bytes);
                var tensor = empty(entry.Shape, entry.ElementType);
                if (bytes.Length > 0)
                    tensor.bytes = bytes;
                tensors[entry.Name] = tensor;
            }
            return new SafeTensorsFile(tensors, metadata);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot read ({error.Message})", error);
        }
    }

    /// <summary>The metadata strings of a safetensors file, from its header alone.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        try
        {
            using var stream = InputFile.OpenRead(path);
            return ReadHeader(stream, path).Metadata;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot read ({error.Message})", error);
        }
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(Stream stream,
        string path)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw new InputException($"{path}: too short to be a safetensors file");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength is 0 or > MaxHeaderBytes || (long)headerLength > stream.Length - 8)
            throw new InputException($"{path}: not a safetensors file (header length {headerLength})");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        var (entries, metadata) = ParseHeader(header, path, stream.Length - dataStart);
        return (entries, metadata, dataStart);
    }

    /// <summary>Writes the tensors (any device; stored contiguous) atomically: a temporary file, then a
    /// rename.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string> metadata)
    {
        var header = new JsonObject();
        if (metadata.Count > 0)
            header[MetadataKey] = new JsonObject(metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value))));
        var ordered = tensors.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            long byteCount = tensor.numel() * TorchCheckpoint.ElementSize(tensor.dtype);
            header[name] = new JsonObject
            {
                ["dtype"] = NameOf(tensor.dtype),
                ["shape"] = new JsonArray(tensor.shape.Select(extent => (JsonNode?)JsonValue.Create(extent)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + byteCount)),
            };
            offset += byteCount;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padding = (8 - headerBytes.Length % 8) % 8;

        AtomicFile.Write(path, stream =>
        {
            var lengthBytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)(headerBytes.Length + padding));
            stream.Write(lengthBytes);
            stream.Write(headerBytes);
            for (int i = 0; i < padding; i++)
                stream.WriteByte((byte)' ');
            foreach (var (_, tensor) in ordered)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                stream.Write(cpu.bytes);
            }
        });
    }

    private sealed record Entry(string Name, ScalarType ElementType, long[] Shape, long Begin, long End);

    private static (List<Entry>, Dictionary<string, string>) ParseHeader(byte[] header, string path, long dataLength)
    {
        if (!Utf8.IsValid(header))
            throw new InputException($"{path}: the safetensors header is not valid UTF-8");
        var metadata = new Dictionary<string, string>();
        var entries = new List<Entry>();
        try
        {
            using var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InputException($"{path}: the safetensors header is not a JSON object");
            foreach (var (name, node) in Properties(document.RootElement, "the header", path))
            {
                if (name != MetadataKey)
                {
                    entries.Add(ParseEntry(name, node, path, dataLength));
                    continue;
                }
                if (node.ValueKind != JsonValueKind.Object)
                    throw new InputException($"{path}: {MetadataKey} is not a JSON object");
                foreach (var (key, value) in Properties(node, MetadataKey, path))
                    metadata[key] = value.ValueKind == JsonValueKind.String
                        ? value.GetString()!
                        : throw new InputException($"{path}: metadata {InputText.Quote(key)} is not a string");
            }
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException)
        {
            throw new InputException($"{path}: the safetensors header is not valid JSON ({error.Message})", error);
        }
        RefuseSharedBytes(entries, path);
        return (entries, metadata);
    }

    /// <summary>
    /// An object's members; a name given twice is refused, since which value counts would be a guess.
    /// </summary>
    private static List<(string Name, JsonElement Value)> Properties(JsonElement node, string what, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var members = new List<(string, JsonElement)>();
        foreach (var property in node.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw new InputException($"{path}: {what} names {InputText.Quote(property.Name)} twice");
            members.Add((property.Name, property.Value));
        }
        return members;
    }

    private static Entry ParseEntry(string name, JsonElement node, string path, long dataLength)
    {
        string tensor = $"{path}: tensor {InputText.Quote(name)}";
        if (node.ValueKind != JsonValueKind.Object)
            throw new InputException($"{tensor} has a malformed header entry");
        var fields = Properties(node, $"tensor {InputText.Quote(name)}", path).ToDictionary();
        if (!fields.TryGetValue("dtype", out var dtypeNode) || dtypeNode.ValueKind != JsonValueKind.String
            || !fields.TryGetValue("shape", out var shapeNode)
            || !fields.TryGetValue("data_offsets", out var offsetsNode))
            throw new InputException($"{tensor} has a malformed header entry");
        string dtype = dtypeNode.GetString()!;
        if (!TypesByName.TryGetValue(dtype, out var type))
            throw new InputException($"{tensor} has unsupported dtype {InputText.Quote(dtype)}");
        var shape = Integers(shapeNode, $"{tensor}: shape");
        var offsets = Integers(offsetsNode, $"{tensor}: data_offsets");
        if (shape.Length > MaxRank || shape.Any(extent => extent < 0))
            throw new InputException($"{tensor}: shape [{string.Join(", ", shape)}] is not a tensor shape");
        long expected = ShapeSize.Bytes(shape, TorchCheckpoint.ElementSize(type))
            ?? throw new InputException($"{tensor}: shape [{string.Join(", ", shape)}] is too large");
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[0] > offsets[1] || offsets[1] > dataLength
            || offsets[1] - offsets[0] != expected)
            throw new InputException(
                $"{tensor}: byte range [{string.Join(", ", offsets)}] does not fit its shape or the file");
        return new Entry(name, type, shape, offsets[0], offsets[1]);
    }

    private static long[] Integers(JsonElement node, string what)
    {
        if (node.ValueKind != JsonValueKind.Array)
            throw new InputException($"{what} is not a list of integers");
        return node.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out long number)
                ? number
                : throw new InputException($"{what} is not a list of integers"))
            .ToArray();
    }

    /// <summary>
    /// Each tensor owns its bytes: entries that alias one range would each be copied, so a small file could fill
    /// memory.
    /// </summary>
    private static void RefuseSharedBytes(List<Entry> entries, string path)
    {
        var ordered = entries.Where(entry => entry.End > entry.Begin).OrderBy(entry => entry.Begin).ToList();
        for (int i = 1; i < ordered.Count; i++)
            if (ordered[i].Begin < ordered[i - 1].End)
                throw new InputException(
                    $"{path}: tensors {InputText.Quote(ordered[i - 1].Name)} and {InputText.Quote(ordered[i].Name)} " +
                    $"share bytes from offset {ordered[i].Begin}");
    }

    private static string NameOf(ScalarType type) =>
        TypesByName.FirstOrDefault(pair => pair.Value == type).Key
        ?? throw new ArgumentException($"safetensors cannot store {type}");
}
