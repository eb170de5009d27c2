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

    /// <summary>Tensors under this prefix are a training checkpoint's optimiser and RNG state, which weights ignore.</summary>
    public const string TrainingStatePrefix = "train_state.";

    private readonly Dictionary<string, Tensor> _tensors;

    private NetworkWeights(string path, Dictionary<string, Tensor> tensors, WeightsSource source, InputConvention convention, double gemP)
    {
        _tensors = tensors;
        Source = source;
        Convention = convention;
        Layout = InferLayout(path);
        GemP = tensors.TryGetValue("head.gem.p", out var learnedP) ? learnedP.ToSingle() : gemP;
        if (tensors.TryGetValue("head.fc.weight", out var fc))
        {
            if (fc.shape.Length != 2 || fc.shape[1] != Layout.OutputChannels)
                throw new InputException($"{path}: head.fc.weight has shape [{string.Join(", ", fc.shape)}]; the backbone gives {Layout.OutputChannels} channels");
            DescriptorDim = (int)fc.shape[0];
        }
        if (tensors.TryGetValue("classifier.weight", out var classifier))
            Classes = (int)classifier.shape[0];
    }

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    public WeightsSource Source { get; }

    public InputConvention Convention { get; }

    public ResNetLayout Layout { get; }

    /// <summary>Size of the head's descriptor; null for backbone-only weights (ImageNet).</summary>
    public int? DescriptorDim { get; }

    /// <summary>Rows of the cosine classifier; 0 when the weights have none.</summary>
    public int Classes { get; }

    public double GemP { get; }

    /// <summary>The network these weights fill completely; backbone-only weights cannot make one.</summary>
    public NetworkSpec CompleteSpec(string path) =>
        DescriptorDim is int dim
            ? new NetworkSpec(Layout, dim, Classes, GemP, _tensors.ContainsKey("head.gem.p"))
            : throw new InputException($"{path}: backbone-only {Source} weights have no CFCD head (fc, bn) to compute descriptors with; train one or import a CFCD checkpoint");

    public static NetworkWeights Load(string path)
    {
        byte[] start = new byte[16];
        try
        {
            using var stream = File.OpenRead(path);
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
    public void Save(string path, IReadOnlyDictionary<string, Tensor>? extraTensors = null, IReadOnlyDictionary<string, string>? extraMetadata = null)
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
    public void LoadInto(CfcdNet network, string path, bool backboneOnly = false)
    {
        var target = network.state_dict();
        using var noGrad = no_grad();
        foreach (var (name, tensor) in _tensors)
        {
            if (!target.TryGetValue(name, out var destination))
                throw new InputException($"{path}: {name} has no place in a {Describe(network.Spec)}");
            if (!destination.shape.SequenceEqual(tensor.shape))
                throw new InputException($"{path}: {name} has shape [{string.Join(", ", tensor.shape)}], the network expects [{string.Join(", ", destination.shape)}]");
            destination.copy_(tensor);
        }
        var missing = target.Keys
            .Where(name => !_tensors.ContainsKey(name) && !name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Where(name => !(name.StartsWith("classifier.", StringComparison.Ordinal) || backboneOnly && name.StartsWith("head.", StringComparison.Ordinal)))
            .ToList();
        if (missing.Count > 0)
            throw new InputException($"{path}: missing {missing.Count} tensors for a {Describe(network.Spec)}, the first is {missing[0]}");
    }

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
            tensor.Dispose();
    }

    private static string Describe(NetworkSpec spec) =>
        $"ResNet-{spec.Layout.Depth} (width {spec.Layout.Width}) with a {spec.DescriptorDim}-d head";

    /// <summary>The weights of a safetensors file already read (a training checkpoint's state tensors are left out).</summary>
    internal static NetworkWeights FromSafeTensors(string path, SafeTensorsFile file)
    {
        var metadata = file.Metadata;
        string Required(string key) => metadata.TryGetValue(key, out var value)
            ? value
            : throw new InputException($"{path}: safetensors metadata lacks {key}; is this a cfcd weights file?");
        if (!metadata.TryGetValue("format", out var format) || format != FormatTag)
        {
            var tensors = file.Tensors.ToDictionary(pair => pair.Key, pair => pair.Value);
            return FromStateDict(path, tensors);
        }
        var order = Required("channel_order") switch
        {
            "bgr" => ChannelOrder.Bgr,
            "rgb" => ChannelOrder.Rgb,
            var other => throw new InputException($"{path}: channel_order {other} is neither bgr nor rgb"),
        };
        var convention = new InputConvention(order, Floats(Required("mean"), path), Floats(Required("std"), path));
        var network = file.Tensors.Where(pair => !pair.Key.StartsWith(TrainingStatePrefix, StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        var weights = new NetworkWeights(path, ToFloat(network), WeightsSource.Cfcd, convention,
            double.Parse(Required("gem_p"), CultureInfo.InvariantCulture));
        if (weights.Layout.Depth != int.Parse(Required("depth"), CultureInfo.InvariantCulture))
            throw new InputException($"{path}: metadata says depth {Required("depth")}, the tensors are a ResNet-{weights.Layout.Depth}");
        return weights;
    }

    private static NetworkWeights FromTorchCheckpoint(string path)
    {
        using var checkpoint = TorchCheckpoint.Open(path);
        var stateDict = FindStateDict(checkpoint.Root)
            ?? throw new InputException($"{path}: no state dict found (looked for model_state, state_dict or a dict of tensors)");
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (key, value) in stateDict)
            if (value is PickledTensor pickled)
                tensors[(string)key] = checkpoint.Materialize(pickled);
        return FromStateDict(path, tensors);
    }

    private static NetworkWeights FromStateDict(string path, Dictionary<string, Tensor> stateDict)
    {
        const string DataParallel = "module.";
        if (stateDict.Count > 0 && stateDict.Keys.All(key => key.StartsWith(DataParallel, StringComparison.Ordinal)))
            stateDict = stateDict.ToDictionary(pair => pair.Key[DataParallel.Length..], pair => pair.Value);
        try
        {
            var source = CheckpointNames.Detect(stateDict.Keys);
            var mapped = new Dictionary<string, Tensor>();
            foreach (var (key, tensor) in stateDict)
            {
                if (CheckpointNames.Map(key, source) is string name)
                    mapped[name] = tensor;
                else
                    tensor.Dispose();
            }
            var convention = source == WeightsSource.Torchvision ? InputConvention.Torchvision : InputConvention.Pycls;
            return new NetworkWeights(path, ToFloat(mapped), source, convention, gemP: 3.0);
        }
        catch (InvalidDataException error)
        {
            throw new InputException($"{path}: {error.Message}", error);
        }
    }

    private static Dictionary<object, object?>? FindStateDict(object? root)
    {
        if (root is not Dictionary<object, object?> dict)
            return null;
        foreach (var key in new[] { "model_state", "state_dict", "model" })
            if (dict.TryGetValue(key, out var inner) && inner is Dictionary<object, object?> nested && nested.Values.Any(value => value is PickledTensor))
                return nested;
        return dict.Values.Any(value => value is PickledTensor) && dict.Keys.All(key => key is string) ? dict : null;
    }

    private static Dictionary<string, Tensor> ToFloat(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(pair => pair.Key, pair => pair.Value.is_floating_point() && pair.Value.dtype != ScalarType.Float32
            ? pair.Value.to_type(ScalarType.Float32, disposeAfter: true)
            : pair.Value);

    private ResNetLayout InferLayout(string path)
    {
        if (!_tensors.TryGetValue("backbone.conv1.weight", out var stem) || stem.shape.Length != 4)
            throw new InputException($"{path}: no backbone stem (backbone.conv1.weight)");
        bool bottleneck = _tensors.ContainsKey("backbone.layer1.0.conv3.weight");
        var blocks = Enumerable.Range(1, 4).Select(stage => _tensors.Keys
            .Where(key => key.StartsWith($"backbone.layer{stage}.", StringComparison.Ordinal))
            .Select(key => key.Split('.')[2])
            .Distinct()
            .Count()).ToArray();
        int depth = ResNetLayout.DepthOf(bottleneck, blocks)
            ?? throw new InputException($"{path}: blocks per stage [{string.Join(", ", blocks)}] ({(bottleneck ? "bottleneck" : "basic")}) are not a ResNet-18/34/50/101/152");
        return new ResNetLayout(depth, (int)stem.shape[0]);
    }

    private static float[] Floats(string text, string path)
    {
        var parts = text.Split(',');
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new InputException($"{path}: metadata value '{text}' is not a list of numbers");
        return values.Length == 3 ? values : throw new InputException($"{path}: metadata '{text}' needs three values");
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
