using System.IO.Compression;
using Cfcd.Config;
using Cfcd.Data;
using Cfcd.IO;
using Cfcd.Modeling;
using Cfcd.Retrieval;
using SkiaSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Fuzzing;

/// <summary>
/// One reader under fuzzing: the seed files it starts from (real files of the format, from the fixtures), the
/// format's tokens for insertion, how an input is mutated and what reading it means (everything a verb does with
/// such a file before the network runs).
/// </summary>
internal sealed record FuzzTarget(
    string Name, string Extension, IReadOnlyList<byte[]> Seeds, IReadOnlyList<string> Tokens, Action<string> Read)
{
    /// <summary>
    /// Mutates a seed; zip checkpoints override it to mutate the entries inside a well-formed archive.
    /// </summary>
    public Func<byte[], ByteMutator, IReadOnlyList<byte[]>, byte[]> Mutate { get; init; } =
        (seed, mutator, seeds) => mutator.Mutate(seed, seeds);

    public override string ToString() => Name;

    // Declared before All, which uses it.
    private static readonly string[] PickleTokens =
    [
        "\u0080\u0002", "c", "R", "b", ".", "(", "t", "}", "]", "q\u0000", "cnumpy\ndtype\n", "c_codecs\nencode\n",
        "cnumpy.core.multiarray\nscalar\n", "X\u0002\u0000\u0000\u0000f8", "X\u0001\u0000\u0000\u0000>",
    ];

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("npy", ".npy", Fixtures("Retrieval/roxford5k_query.npy", "Modeling/r18w4_probe_res4.npy",
                "Modeling/cfcd_r50w4_single.npy"),
            ["'shape': (1, 1), ", "'descr': '<f8', ", "(", ")", ",", "True", "\u0000", "\n"], ReadNpy),
        new("safetensors", ".safetensors", [SafeTensorsSeed()],
            ["{", "}", "\"dtype\":\"F32\",", "\"shape\":[-1],", "\"data_offsets\":[0,0],", "\"gem_p\":\"nan\",",
                "\\u0000"],
            ReadWeights),
        new("pytorch-zip", ".pth",
            Fixtures("Modeling/torchvision_r18w4.pth", "Modeling/views.pt", "Modeling/cfcd_r50w4.pyth",
                "Modeling/pycls_r18w4.pyth"), PickleTokens,
            ReadCheckpoint) { Mutate = MutateZipEntry },
        new("pytorch-legacy", ".pyth", Fixtures("Modeling/pycls_r18w4_legacy.pyth", "Modeling/cfcd_r50w4_legacy.pyth"),
            PickleTokens, ReadCheckpoint),
        new("pickle", ".pkl", [PickleSeed(), .. Fixtures("Revisitop/gnd_roxford5k.pkl")], PickleTokens, ReadPickle),
        new("yaml-config", ".yaml",
            [.. Directory.GetFiles(TestPaths.Configs, "*.yaml").Order().Select(File.ReadAllBytes)],
            ["&a ", "*a", "[", "]", "{", "}", ": ", "\n  ", ".inf", ".nan", "-1", "1e999", "!!python/object ", "<<: "],
            path => ConfigLoader.Load(path)),
        new("jpeg", ".jpg", Fixtures("Data/quadrants.jpg", "Data/gray.jpg", "Data/cmyk.jpg", "Data/orientation6.jpg"),
            ["\xff\xc0", "\xff\xc2", "\xff\xd9", "\xff\xda", "\xff\xe1"], ReadImage),
        new("png", ".png", Fixtures("Modeling/image2.png"), ["IHDR", "IDAT", "IEND", "PLTE"], ReadImage)
        {
            Mutate = (seed, mutator, seeds) => PngChunks.WithValidCrcs(mutator.Mutate(seed, seeds)),
        },
        new("webp", ".webp", [WebpSeed()], ["RIFF", "WEBP", "VP8 ", "VP8L", "VP8X"], ReadImage),
    ];

    private static byte[][] Fixtures(params string[] paths) =>
        paths.Select(path => File.ReadAllBytes(TestPaths.Fixture(path.Split('/')))).ToArray();

    private static void ReadNpy(string path)
    {
        Npy.ReadMatrix(path);
        using var mapped = new MappedNpyMatrix(path);
        var rows = new float[Math.Min(mapped.Rows, 4) * mapped.Columns];
        mapped.ReadRows(0, (int)Math.Min(mapped.Rows, 4), rows);
    }

    private static void ReadWeights(string path)
    {
        using var scope = NewDisposeScope();
        using var weights = NetworkWeights.Load(path);
        if (weights.DescriptorDim is not null)
            weights.CompleteSpec();
    }

    private static void ReadCheckpoint(string path)
    {
        using var scope = NewDisposeScope();
        using (var checkpoint = TorchCheckpoint.Open(path))
            foreach (var tensor in Leaves(checkpoint.Root).OfType<PickledTensor>())
                checkpoint.Materialize(tensor).Dispose();
        ReadWeights(path);
    }

    private static void ReadPickle(string path)
    {
        var root = PickleReader.Load(path);
        if (root is Dictionary<object, object?> { Count: > 0 } dictionary && dictionary.ContainsKey("gnd"))
            GroundTruth.FromPickle(root, path);
    }

    private static void ReadImage(string path)
    {
        using var reader = new ImageReader();
        using var image = ImageReader.Open(path);
        reader.Decode(image);
        var (width, height) = image.Size;
        reader.Decode(image, 0.5, new CropBox(width / 4.0, height / 4.0, width / 2.0, height / 2.0));
    }

    private static IEnumerable<object?> Leaves(object? value) => value switch
    {
        Dictionary<object, object?> dictionary => dictionary.Values.SelectMany(Leaves),
        List<object?> list => list.SelectMany(Leaves),
        object?[] tuple => tuple.SelectMany(Leaves),
        _ => [value],
    };

    /// <summary>A zip checkpoint rewritten with one entry mutated (a stored archive as torch.save writes it).</summary>
    private static byte[] MutateZipEntry(byte[] seed, ByteMutator mutator, IReadOnlyList<byte[]> seeds)
    {
        if (mutator.Random.Next(4) == 0)
            return mutator.Mutate(seed, seeds);
        using var input = new ZipArchive(new MemoryStream(seed), ZipArchiveMode.Read);
        var entries = input.Entries.Select(entry => (entry.FullName, Bytes: ReadAll(entry))).ToList();
        int chosen = mutator.Random.Next(3) > 0
            ? entries.FindIndex(entry => entry.FullName.EndsWith("data.pkl", StringComparison.Ordinal))
            : mutator.Random.Next(entries.Count);
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            for (int i = 0; i < entries.Count; i++)
            {
                using var stream = zip.CreateEntry(entries[i].FullName, CompressionLevel.NoCompression).Open();
                stream.Write(i == chosen ? mutator.Mutate(entries[i].Bytes, [entries[i].Bytes]) : entries[i].Bytes);
            }
        return output.ToArray();
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static byte[] SafeTensorsSeed()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "seed.safetensors");
        using (var weights = NetworkWeights.Load(TestPaths.Fixture("Modeling", "torchvision_r18w4.pth")))
            weights.Save(path);
        return File.ReadAllBytes(path);
    }

    private static byte[] PickleSeed() => PickleWriter.Dump(new Dictionary<string, object?>
    {
        ["imlist"] = new List<object?> { "a", "b" },
        ["qimlist"] = new List<object?> { "q" },
        ["gnd"] = new List<object?>
        {
            new Dictionary<string, object?>
            {
                ["bbx"] = new List<object?> { 1.0, 2.0, 30.0, 40.0 },
                ["easy"] = new List<object?> { 0L },
                ["hard"] = new List<object?> { 1L },
                ["junk"] = new List<object?>(),
            },
        },
    });

    private static byte[] WebpSeed()
    {
        using var bitmap = new SKBitmap(64, 48);
        bitmap.Erase(new SKColor(200, 40, 90));
        using var data = bitmap.Encode(SKEncodedImageFormat.Webp, 80);
        return data.ToArray();
    }
}
