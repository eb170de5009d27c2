namespace Cfcd.Modeling;

/// <summary>
/// What a set of weights describes: the backbone layout and, when it has a head, descriptor and class counts.
/// </summary>
public sealed record WeightsShape(ResNetLayout Layout, int? DescriptorDim, int Classes, bool GemLearnable);

/// <summary>
/// The shape of every tensor of a <see cref="CfcdNet"/>, computed without building one, so a weights file's tensors
/// are checked against the network they fill before their data is read: a hostile file cannot make a reader
/// allocate more than the network holds.
/// </summary>
public static class NetworkShapes
{
    private const string Stem = "backbone.conv1.weight";
    private const string Fc = "head.fc.weight";
    private const string Classifier = "classifier.weight";
    private const string LearnedP = "head.gem.p";
    /// <summary>The widest stem cfcd builds or reads (64 is standard); the config and the demo check it too.</summary>
    public const int MaxWidth = 1024;

    /// <summary>
    /// The network that tensors of these names and shapes fill (names in cfcd's convention); every tensor must have
    /// a place in it with exactly that shape, or this throws an <see cref="InputException"/> naming
    /// <paramref name="path"/>.
    /// </summary>
    public static WeightsShape Check(string path, IReadOnlyDictionary<string, long[]> shapes)
    {
        var layout = InferLayout(path, shapes);
        int? dim = null;
        if (shapes.TryGetValue(Fc, out var fc))
            dim = fc is [>= 1 and <= int.MaxValue, var inputs] && inputs == layout.OutputChannels
                ? (int)fc[0]
                : throw new InputException($"{path}: {Fc} has shape {Format(fc)}; it needs [descriptor size, " +
                                           $"{layout.OutputChannels}] for the backbone's channels");
        int classes = 0;
        if (shapes.TryGetValue(Classifier, out var classifier))
            classes = classifier is [>= 1 and <= int.MaxValue, _]
                ? (int)classifier[0]
                : throw new InputException($"{path}: {Classifier} has shape {Format(classifier)}; it needs " +
                                           "[classes, descriptor size] with at least one class");
        var weights = new WeightsShape(layout, dim, classes, shapes.ContainsKey(LearnedP));
        var expected = Of(weights);
        string network = $"ResNet-{layout.Depth} (width {layout.Width})" +
                         (dim is int size ? $" with a {size}-d head" : "");
        foreach (var (name, shape) in shapes)
        {
            if (!expected.TryGetValue(name, out var needed))
                throw new InputException($"{path}: {InputText.Quote(name)} has no place in a {network}");
            if (!needed.SequenceEqual(shape))
                throw new InputException($"{path}: {InputText.Quote(name)} has shape {Format(shape)}, " +
                                         $"a {network} needs {Format(needed)}");
        }
        return weights;
    }

    /// <summary>The state-dict names and shapes of the network <paramref name="weights"/> describe.</summary>
    public static Dictionary<string, long[]> Of(WeightsShape weights)
    {
        var layout = weights.Layout;
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal) { [Stem] = [layout.Width, 3, 7, 7] };
        AddNorm(shapes, "backbone.bn1", layout.Width);
        long channels = layout.Width;
        for (int stage = 0; stage < 4; stage++)
        {
            long width = (long)layout.Width << stage, output = layout.StageOutput(stage);
            for (int index = 0; index < layout.BlocksPerStage[stage]; index++)
            {
                string block = $"backbone.layer{stage + 1}.{index}.";
                bool strided = index == 0 && stage > 0;
                if (layout.Bottleneck)
                {
                    AddConv(shapes, block + "conv1", width, channels, 1);
                    AddConv(shapes, block + "conv2", width, width, 3);
                    AddConv(shapes, block + "conv3", output, width, 1);
                }
                else
                {
                    AddConv(shapes, block + "conv1", width, channels, 3);
                    AddConv(shapes, block + "conv2", width, width, 3);
                }
                AddNorm(shapes, block + "bn1", width);
                AddNorm(shapes, block + "bn2", width);
                if (layout.Bottleneck)
                    AddNorm(shapes, block + "bn3", output);
                if (strided || channels != output)
                {
                    AddConv(shapes, block + "downsample.0", output, channels, 1);
                    AddNorm(shapes, block + "downsample.1", output);
                }
                channels = output;
            }
        }
        if (weights.DescriptorDim is not int dim)
            return shapes;
        shapes[Fc] = [dim, layout.OutputChannels];
        shapes["head.fc.bias"] = [dim];
        AddNorm(shapes, "head.bn", dim);
        if (weights.GemLearnable)
            shapes[LearnedP] = [1];
        if (weights.Classes > 0)
            shapes[Classifier] = [weights.Classes, dim];
        return shapes;
    }

    private static ResNetLayout InferLayout(string path, IReadOnlyDictionary<string, long[]> shapes)
    {
        if (!shapes.TryGetValue(Stem, out var stem))
            throw new InputException($"{path}: no backbone stem ({Stem})");
        if (stem is not [>= 1 and <= MaxWidth, 3, 7, 7])
            throw new InputException($"{path}: {Stem} has shape {Format(stem)}; a ResNet stem is [width, 3, 7, 7] " +
                                     $"with a width of 1 to {MaxWidth}");
        bool bottleneck = shapes.ContainsKey("backbone.layer1.0.conv3.weight");
        var blocks = Enumerable.Range(1, 4).Select(stage => shapes.Keys
            .Where(key => key.StartsWith($"backbone.layer{stage}.", StringComparison.Ordinal))
            .Select(key => key.Split('.')[2])
            .Distinct()
            .Count()).ToArray();
        int depth = ResNetLayout.DepthOf(bottleneck, blocks)
            ?? throw new InputException($"{path}: blocks per stage [{string.Join(", ", blocks)}] " +
                                        $"({(bottleneck ? "bottleneck" : "basic")}) are not a ResNet-18/34/50/101/152");
        return new ResNetLayout(depth, (int)stem[0]);
    }

    private static void AddConv(Dictionary<string, long[]> shapes, string name, long output, long input, long kernel) =>
        shapes[name + ".weight"] = [output, input, kernel, kernel];

    private static void AddNorm(Dictionary<string, long[]> shapes, string name, long features)
    {
        foreach (var tensor in new[] { "weight", "bias", "running_mean", "running_var" })
            shapes[$"{name}.{tensor}"] = [features];
        shapes[name + ".num_batches_tracked"] = [];
    }

    private static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";
}
