using static TorchSharp.torch;

namespace Cfcd.IO;

/// <summary>A storage a PyTorch checkpoint refers to by key: its element type and length.</summary>
internal sealed record TorchStorage(string Key, ScalarType ElementType, long Elements);

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a strided view of a storage.</summary>
internal sealed record PickledTensor(TorchStorage Storage, long StorageOffset, long[] Shape, long[] Strides)
{
    /// <summary>The number of elements; null when it overflows.</summary>
    public long? Elements => ShapeSize.Elements(Shape);

    /// <summary>
    /// Storage elements from the first to the last one the view reaches (0 for an empty tensor); null when it
    /// overflows. Reading this range, not the whole storage, is all <see cref="TorchCheckpoint.Materialize"/> needs.
    /// </summary>
    public long? StorageSpan => Shape.Contains(0)
        ? 0
        : ShapeSize.Checked(() => Shape.Zip(Strides)
            .Aggregate(1L, (last, pair) => checked(last + (pair.First - 1) * pair.Second)));
}

/// <summary>
/// The resolver for PyTorch's own pickles (state dicts and checkpoints): it knows OrderedDict, the tensor and
/// parameter rebuild functions, the typed storages and the numpy scalars of optimiser state
/// (<see cref="NumpyScalars"/>), and refuses every other global by name.
/// </summary>
internal sealed class TorchPickle : IPickleResolver
{
    private sealed record Global(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    private sealed record StorageType(ScalarType ElementType);

    private const int MaxRank = 32;

    private static readonly Global OrderedDict = new("collections", "OrderedDict");
    private static readonly Global RebuildTensorV2 = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly Global RebuildTensor = new("torch._utils", "_rebuild_tensor");
    private static readonly Global RebuildParameter = new("torch._utils", "_rebuild_parameter");

    private static readonly Dictionary<string, ScalarType> Storages = new()
    {
        ["FloatStorage"] = ScalarType.Float32,
        ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16,
        ["DoubleStorage"] = ScalarType.Float64,
        ["LongStorage"] = ScalarType.Int64,
        ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16,
        ["CharStorage"] = ScalarType.Int8,
        ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
        ["UntypedStorage"] = ScalarType.Byte,
    };

    private readonly Dictionary<string, TorchStorage> _storages = new();

    /// <summary>Every storage the pickle referred to, by key.</summary>
    public IReadOnlyDictionary<string, TorchStorage> StoragesByKey => _storages;

    public object ResolveGlobal(string module, string name)
    {
        var global = new Global(module, name);
        if (global == OrderedDict || global == RebuildTensorV2 || global == RebuildTensor || global == RebuildParameter)
            return global;
        if (module == "torch" && Storages.TryGetValue(name, out var elementType))
            return new StorageType(elementType);
        if (NumpyScalars.Global(module, name) is object numpyName)
            return numpyName;
        throw new InvalidDataException($"refusing global {InputText.Quote($"{module}.{name}")}: only the " +
                                       "constructors of a PyTorch state dict (OrderedDict, tensors, storages) " +
                                       "are allowed");
    }

    public object? Reduce(object callable, object?[] arguments)
    {
        if (NumpyScalars.TryReduce(callable, arguments, out object? number))
            return number;
        if (callable is not Global function)
            throw new InvalidDataException($"refusing to call a {callable.GetType().Name}: only known constructors " +
                                           "are called");
        if (function == OrderedDict)
            return arguments.Length == 0
                ? new Dictionary<object, object?>()
                : throw new InvalidDataException("OrderedDict with constructor arguments is not supported");
        if (function == RebuildTensorV2 || function == RebuildTensor)
            return RebuildTensorFrom(arguments);
        if (function == RebuildParameter)
            return arguments.Length >= 1 && arguments[0] is PickledTensor tensor
                ? tensor
                : throw new InvalidDataException("_rebuild_parameter without a tensor");
        throw new InvalidDataException($"refusing to call {function}: it is not a constructor this reader knows");
    }

    public object? Build(object? target, object? state) => target switch
    {
        // A state dict's OrderedDict carries `_metadata` (module versions) as instance state; it is not needed.
        Dictionary<object, object?> => target,
        NumpyScalars.Dtype dtype => NumpyScalars.Build(dtype, state),
        _ => throw new InvalidDataException($"BUILD on {Describe(target)} is not supported"),
    };

    private static string Describe(object? value) => value switch
    {
        null => "None",
        Global or NumpyScalars.Function => InputText.Quote(value.ToString()!),
        _ => value.GetType().Name,
    };

    public object? PersistentLoad(object? persistentId)
    {
        // ('storage', storage type, key, location, number of elements[, view metadata])
        if (persistentId is not object?[] { Length: >= 5 } fields || fields[0] as string != "storage")
            throw new InvalidDataException("a persistent id that is not a PyTorch storage reference");
        if (fields[1] is not StorageType type || fields[2] is not string key || fields[4] is not long elements)
            throw new InvalidDataException("a malformed storage reference");
        if (fields.Length > 5 && fields[5] is not null)
            throw new InvalidDataException("storage views (legacy view metadata) are not supported");
        if (elements < 0 || elements > long.MaxValue / TorchCheckpoint.ElementSize(type.ElementType))
            throw new InvalidDataException($"storage {InputText.Quote(key)} declares {elements} elements");
        if (_storages.TryGetValue(key, out var known))
            return known.ElementType == type.ElementType && known.Elements == elements
                ? known
                : throw new InvalidDataException($"storage {InputText.Quote(key)} is declared twice, differently");
        var storage = new TorchStorage(key, type.ElementType, elements);
        _storages[key] = storage;
        return storage;
    }

    private static PickledTensor RebuildTensorFrom(object?[] arguments)
    {
        // (storage, storage_offset, size, stride, ...)
        if (arguments.Length < 4 || arguments[0] is not TorchStorage storage || arguments[1] is not long offset
            || arguments[2] is not object?[] size || arguments[3] is not object?[] stride
                || size.Length != stride.Length)
            throw new InvalidDataException("a tensor rebuild with unexpected arguments");
        if (size.Length > MaxRank)
            throw new InvalidDataException($"a tensor with {size.Length} dimensions");
        var shape = size.Select(Dimension).ToArray();
        var strides = stride.Select(Dimension).ToArray();
        var tensor = new PickledTensor(storage, offset, shape, strides);
        string described = $"a tensor of shape [{string.Join(", ", shape)}], strides [{string.Join(", ", strides)}] " +
                           $"at offset {offset}";
        if (offset < 0)
            throw new InvalidDataException($"{described}: a negative storage offset");
        if (shape.Zip(strides).Any(pair => pair.First > 1 && pair.Second == 0))
            throw new InvalidDataException($"{described}: a zero stride repeats elements");
        if (tensor.Elements is not long elements || tensor.StorageSpan is not long span)
            throw new InvalidDataException($"{described}: its size overflows");
        // Distinct elements need distinct storage: a view with more is an expansion, which would be materialised.
        bool fits = offset <= storage.Elements
            && (elements == 0 || (elements <= storage.Elements && offset <= storage.Elements - span));
        if (!fits)
            throw new InvalidDataException($"{described} does not fit its storage of {storage.Elements} elements");
        return tensor;
    }

    private static long Dimension(object? value) => value is long number && number >= 0
        ? number
        : throw new InvalidDataException("a tensor size or stride that is not a non-negative integer");
}
