using System.Globalization;
using Cfcd.Config;
using Cfcd.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Modeling;

/// <summary>
/// Weights under cfcd's names with what they imply: the ResNet layout, the head and classifier sizes (when present)
/// and the input convention. Loads cfcd safetensors, official CFCD <c>.pyth</c> checkpoints, pycls ImageNet
/// checkpoints and torchvision state dicts (PyTorch zip or legacy files); saves cfcd safetensors.
/// </summary>
public sealed class NetworkWeights : IDisposable
{
    private const string FormatTag = "cfcd";
    private const string LearnedP = "head.gem.p";

    /// <summary>Tensors under this prefix are a training checkpoint's optimiser and RNG state, which weights
    /// ignore.</summary>
    public const string TrainingStatePrefix = "train_state.";

    private readonly Dictionary<string, Tensor> _tensors;

    private NetworkWeights(string path, Dictionary<string, Tensor> tensors, WeightsSource source,
        InputConvention convention, double gemP)
    {
        _tensors = tensors;
        Path = path;
        Source = source;
        Convention = convention;
        Shape = NetworkShapes.Check(path, tensors.ToDictionary(pair => pair.Key, pair => pair.Value.shape));
        GemP = tensors.TryGetValue(LearnedP, out var learnedP) ? learnedP.ToSingle() : gemP;
        if (!float.IsFinite((float)GemP) || GemP <= 0)
            throw new InputException($"{path}: {LearnedP} is {GemP}; GeM needs a finite positive p");
    }

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>The file the weights were read from, which every message about them names.</summary>
    public string Path { get; }

    public WeightsSource Source { get; }

    public InputConvention Convention { get; }

    public ResNetLayout Layout => Shape.Layout;

    /// <summary>Size of the head's descriptor; null for backbone-only weights (ImageNet).</summary>
    public int? DescriptorDim => Shape.DescriptorDim;

    /// <summary>Rows of the cosine classifier; 0 when the weights have none.</summary>
    public int Classes => Shape.Classes;

    private WeightsShape Shape { get; }

    public double GemP { get; }

    /// <summary>The file format the weights were read from (PyTorch zip, PyTorch legacy, safetensors).</summary>
    public string Format { get; private init; } = "cfcd network";

    /// <summary>What the file held that the weights leave out: training state, unused tensors.</summary>
    public IReadOnlyList<string> Skipped { get; private init; } = [];

    /// <summary>
    /// One line of what <see cref="Path"/> turned out to hold: format, source, layout, descriptor size, classes,
    /// input convention and what was skipped.
    /// </summary>
    public string Describe()
    {
        string head = DescriptorDim is int dim ? $"{dim}-d descriptor" : "backbone only";
        string classes = Classes > 0 ? $", {Classes.ToString("N0", CultureInfo.InvariantCulture)} classes" : "";
        string skipped = Skipped.Count > 0 ? $"; skipped {string.Join(", ", Skipped)}" : "";
        return $"{Path}: {Format}, {CheckpointNames.Describe(Source)} weights, ResNet-{Layout.Depth} " +
               $"(width {Layout.Width}), {head}{classes}, input {Convention}{skipped}";
    }

    /// <summary>The network these weights fill completely; backbone-only weights cannot make one.</summary>
    public NetworkSpec CompleteSpec() =>
        DescriptorDim is int dim
            ? new NetworkSpec(Layout, dim, Classes, GemP, Shape.GemLearnable)
            : throw new InputException($"{Path}: backbone-only {Source} weights have no CFCD head (fc, bn) to " +
                                       "compute descriptors with; train one or import a CFCD checkpoint");

    public static NetworkWeights Load(string path)
    {
        byte[] start = new byte[16];
        try
        {
            using var stream = InputFile.OpenRead(path);
            Array.Resize(ref start, stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot read ({error.Message})", error);
        }
        if (!SafeTensors.Recognise(start))
            return FromTorchCheckpoint(path);
        var file = SafeTensors.Read(path);
        var weights = FromSafeTensors(path, file);
        foreach (var (name, tensor) in file.Tensors)
            if (name.StartsWith(TrainingStatePrefix, StringComparison.Ordinal))
                tensor.Dispose();
        return weights;
    }

    /// <summary>
    /// Writes cfcd safetensors with the layout, sizes and input convention in the metadata; a training checkpoint adds
    /// its state tensors (named under <see cref="TrainingStatePrefix"/>) and metadata entries.
    /// </summary>
    public void Save(string path, IReadOnlyDictionary<string, Tensor>? extraTensors = null,
        IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatTag,
            ["depth"] = Invariant(Layout.Depth),
            ["width"] = Invariant(Layout.Width),
            ["gem_p"] = Invariant(GemP),
            ["channel_order"] = Convention.ChannelOrder.ToString().ToLowerInvariant(),
            ["mean"] = string.Join(",", Convention.Mean.Select(value => Invariant(value))),
            ["std"] = string.Join(",", Convention.Std.Select(value => Invariant(value))),
            ["source"] = Source.ToString(),
        };
        if (DescriptorDim is int dim)
            metadata["descriptor_dim"] = Invariant(dim);
        if (Classes > 0)
            metadata["classes"] = Invariant(Classes);
        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>())
            metadata[key] = value;
        var tensors = new Dictionary<string, Tensor>(_tensors);
        foreach (var (name, tensor) in extraTensors ?? new Dictionary<string, Tensor>())
            tensors.Add(name, tensor);
        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>Takes the weights of <paramref name="network"/> (for saving a trained model).</summary>
    public static NetworkWeights FromNetwork(CfcdNet network, InputConvention convention)
    {
        var tensors = network.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.detach().cpu().clone());
        return new NetworkWeights("network", tensors, WeightsSource.Cfcd, convention, network.Spec.GemP);
    }

    /// <summary>
    /// Copies these weights into <paramref name="network"/>. Every backbone tensor must be present with the same
    /// shape; the head and classifier may be absent (ImageNet weights) when <paramref name="backboneOnly"/> allows.
    /// </summary>
    public void LoadInto(CfcdNet network, bool backboneOnly = false)
    {
        var target = network.state_dict();
        using var noGrad = no_grad();
        foreach (var (name, tensor) in _tensors)
        {
            if (!target.TryGetValue(name, out var destination))
                throw new InputException($"{Path}: {name} has no place in a {Describe(network.Spec)}");
            if (!destination.shape.SequenceEqual(tensor.shape))
                throw new InputException($"{Path}: {name} has shape [{string.Join(", ", tensor.shape)}], " +
                                         $"the network expects [{string.Join(", ", destination.shape)}]");
            destination.copy_(tensor);
        }
        var missing = target.Keys
            .Where(name => !_tensors.ContainsKey(name)
                && !name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Where(name => !(name.StartsWith("classifier.", StringComparison.Ordinal) || backboneOnly
                && name.StartsWith("head.", StringComparison.Ordinal)))
            .ToList();
        if (missing.Count > 0)
            throw new InputException($"{Path}: missing {missing.Count} tensors for a {Describe(network.Spec)}, " +
                                     $"the first is {missing[0]}");
    }

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
            tensor.Dispose();
    }

    private static string Describe(NetworkSpec spec) =>
        $"ResNet-{spec.Layout.Depth} (width {spec.Layout.Width}) with a {spec.DescriptorDim}-d head";

    /// <summary>The weights of a safetensors file already read (a training checkpoint's state tensors are left
    /// out).</summary>
    internal static NetworkWeights FromSafeTensors(string path, SafeTensorsFile file)
    {
        if (!file.Metadata.TryGetValue("format", out var format) || format != FormatTag)
        {
            var (source, names) = MapNames(path, file.Tensors.Keys);
            foreach (var (key, name) in names)
                if (name is null)
                    file.Tensors[key].Dispose();
            var mapped = names.Where(pair => pair.Value is not null)
                .ToDictionary(pair => pair.Value!, pair => file.Tensors[pair.Key]);
            return FromStateDict(path, mapped, source, "safetensors", [.. Unused(names)]);
        }
        var metadata = WeightsMetadata.Parse(path, file.Metadata);
        var network = file.Tensors.Where(pair => !pair.Key.StartsWith(TrainingStatePrefix, StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        int trainingState = file.Tensors.Count - network.Count;
        string origin = file.Metadata.TryGetValue("source", out var recorded)
            && Enum.TryParse<WeightsSource>(recorded, out var imported) && imported != WeightsSource.Cfcd
            ? $" (imported from {CheckpointNames.Describe(imported)} weights)"
            : "";
        var weights = new NetworkWeights(path, ToFloat(network), WeightsSource.Cfcd, metadata.Convention,
            metadata.GemP)
        {
            Format = "cfcd safetensors" + origin,
            Skipped = trainingState > 0 ? [$"{trainingState} training-state tensors"] : [],
        };
        metadata.CheckAgainst(path, weights.Shape);
        return weights;
    }

    /// <summary>
    /// The state dict of a PyTorch checkpoint: names and shapes are checked against the network they describe before
    /// any tensor's data is read, so the file cannot make this allocate more than that network holds.
    /// </summary>
    private static NetworkWeights FromTorchCheckpoint(string path)
    {
        using var checkpoint = TorchCheckpoint.Open(path);
        var (stateDict, stateKey) = FindStateDict(checkpoint.Root)
            ?? throw new InputException($"{path}: no state dict found (looked for model_state, state_dict or a dict " +
                                        "of tensors)");
        var pickled = new Dictionary<string, PickledTensor>();
        foreach (var (key, value) in stateDict)
        {
            if (value is not PickledTensor tensor)
                continue;
            string text = Convert.ToString(key, CultureInfo.InvariantCulture) ?? "";
            pickled[key as string ?? throw new InputException(
                $"{path}: the state dict has a key {InputText.Quote(text)} that is not a name")] = tensor;
        }
        var (source, names) = MapNames(path, pickled.Keys);
        var mapped = names.Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Value!, pair => pickled[pair.Key]);
        NetworkShapes.Check(path, mapped.ToDictionary(pair => pair.Key, pair => pair.Value.Shape));
        var tensors = mapped.ToDictionary(pair => pair.Key, pair => checkpoint.Materialize(pair.Value));
        var otherEntries = stateKey is null
            ? []
            : ((Dictionary<object, object?>)checkpoint.Root!).Keys.Where(key => !Equals(key, stateKey))
                .Select(key => InputText.Quote(Convert.ToString(key, CultureInfo.InvariantCulture) ?? ""));
        return FromStateDict(path, tensors, source, checkpoint.Format, [.. Listed(otherEntries), .. Unused(names)]);
    }

    private static NetworkWeights FromStateDict(string path, Dictionary<string, Tensor> mapped, WeightsSource source,
        string format, IReadOnlyList<string> skipped)
    {
        var convention = source == WeightsSource.Torchvision ? InputConvention.Torchvision : InputConvention.Pycls;
        return new NetworkWeights(path, ToFloat(mapped), source, convention, gemP: 3.0)
        {
            Format = format,
            Skipped = skipped,
        };
    }

    /// <summary>The state dict's tensors cfcd has no place for (an ImageNet classifier), as one entry.</summary>
    private static IEnumerable<string> Unused(Dictionary<string, string?> names)
    {
        var unused = names.Where(pair => pair.Value is null).Select(pair => InputText.Quote(pair.Key)).ToList();
        return unused.Count == 0 ? [] : [$"{unused.Count} unused tensors ({string.Join(", ", Listed(unused))})"];
    }

    /// <summary>At most four names, then how many more: a hostile file can hold millions.</summary>
    private static IEnumerable<string> Listed(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count <= 4 ? list : [.. list.Take(4), $"{list.Count - 4} more"];
    }

    /// <summary>
    /// Where a state dict comes from and cfcd's name for each of its keys (null for a key cfcd does not use);
    /// two keys that would fill one tensor are refused.
    /// </summary>
    private static (WeightsSource Source, Dictionary<string, string?> Names) MapNames(string path,
        IEnumerable<string> keys)
    {
        const string DataParallel = "module.";
        var list = keys.ToList();
        bool parallel = list.Count > 0 && list.All(key => key.StartsWith(DataParallel, StringComparison.Ordinal));
        string Strip(string key) => parallel ? key[DataParallel.Length..] : key;
        try
        {
            var source = CheckpointNames.Detect(list.Select(Strip));
            var names = new Dictionary<string, string?>();
            var owners = new Dictionary<string, string>();
            foreach (var key in list)
            {
                string? name = CheckpointNames.Map(Strip(key), source);
                if (name is not null && !owners.TryAdd(name, key))
                    throw new InputException($"{path}: {InputText.Quote(owners[name])} and {InputText.Quote(key)} " +
                                             $"both fill {InputText.Quote(name)}");
                names[key] = name;
            }
            return (source, names);
        }
        catch (InvalidDataException error)
        {
            throw new InputException($"{path}: {error.Message}", error);
        }
    }

    /// <summary>The state dict and the key it is under in <paramref name="root"/> (null when it is the root).</summary>
    private static (Dictionary<object, object?> StateDict, string? Key)? FindStateDict(object? root)
    {
        if (root is not Dictionary<object, object?> dict)
            return null;
        foreach (var key in new[] { "model_state", "state_dict", "model" })
            if (dict.TryGetValue(key, out var inner) && inner is Dictionary<object, object?> nested
                && nested.Values.Any(value => value is PickledTensor))
                return (nested, key);
        return dict.Values.Any(value => value is PickledTensor) && dict.Keys.All(key => key is string)
            ? (dict, null)
            : null;
    }

    private static Dictionary<string, Tensor> ToFloat(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(pair => pair.Key,
            pair => pair.Value.is_floating_point() && pair.Value.dtype != ScalarType.Float32
            ? pair.Value.to_type(ScalarType.Float32, disposeAfter: true)
            : pair.Value);

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
