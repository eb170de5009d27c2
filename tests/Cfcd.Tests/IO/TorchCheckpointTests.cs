using System.Buffers.Binary;
using System.IO.Compression;
using Cfcd.IO;
using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.IO;

public class TorchCheckpointTests
{
    private static string Fixture(string name) => TestPaths.Fixture("Modeling", name);

    private static Tensor Read(TorchCheckpoint checkpoint, string key) =>
        checkpoint.Materialize((PickledTensor)((Dictionary<object, object?>)checkpoint.Root!)[key]!);

    [Fact]
    public void StorageTypesStridesAndOffsetsAreHonoured()
    {
        using var checkpoint = TorchCheckpoint.Open(Fixture("views.pt"));
        Assert.Equal(new[] { 0.5f, -2f, 1024f },
            Read(checkpoint, "half").to_type(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(ScalarType.BFloat16, Read(checkpoint, "bfloat16").dtype);
        Assert.Equal(new[] { 1.5f, -3f },
            Read(checkpoint, "bfloat16").to_type(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(new[] { 7L, -9L, 1L << 40 }, Read(checkpoint, "long").data<long>().ToArray());

        var transposed = Read(checkpoint, "transposed");
        Assert.Equal([4L, 3L], transposed.shape);
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, transposed.data<float>().ToArray());
        Assert.Equal(new float[] { 14, 15, 16, 17, 18, 19 }, Read(checkpoint, "slice").data<float>().ToArray());
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), Read(checkpoint, "shared").data<float>().ToArray());
    }

    [Fact]
    public void ACheckpointsOptimiserStateIsParsedButNeverMaterialised()
    {
        using var checkpoint = TorchCheckpoint.Open(Fixture("cfcd_r50w4.pyth"));
        var root = Assert.IsType<Dictionary<object, object?>>(checkpoint.Root);
        Assert.Equal(3L, root["epoch"]);
        Assert.IsType<Dictionary<object, object?>>(root["optimizer_state"]);
        Assert.StartsWith("MODEL:", Assert.IsType<string>(root["cfg"]));
    }

    [Fact]
    public void AGlobalThatRunsCodeIsRefusedAndNothingRuns()
    {
        // pickle.dumps of an object whose __reduce__ is (posix.system, ("touch <marker>",)), protocol 2.
        string folder = TestPaths.NewTempFolder();
        string marker = Path.Combine(folder, "ran");
        string command = $"touch {marker}";
        var pickle = new List<byte> { 0x80, 0x02 };
        pickle.AddRange("cposix\nsystem\n"u8.ToArray());
        pickle.Add((byte)'X');
        pickle.AddRange(BitConverter.GetBytes(command.Length));
        pickle.AddRange(System.Text.Encoding.ASCII.GetBytes(command));
        pickle.AddRange(new byte[] { 0x85, (byte)'R', (byte)'.' });
        string path = WriteZipCheckpoint(folder, pickle.ToArray());

        var error = Assert.Throws<InputException>(() => NetworkWeights.Load(path));
        Assert.Equal($"{path}:evil/data.pkl: pickle offset 2: refusing global posix.system: only the constructors of " +
                     "a PyTorch state dict (OrderedDict, tensors, storages) are allowed", error.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void UnknownOpcodesAndUnknownCallsAreRefused()
    {
        string folder = TestPaths.NewTempFolder();
        var unknownOpcode = Assert.Throws<InputException>(() =>
            TorchCheckpoint.Open(WriteZipCheckpoint(folder, [0x80, 0x02, (byte)'i', (byte)'.'])));
        Assert.Contains("pickle offset 2: unsupported opcode 0x69 ('i')", unknownOpcode.Message);
        // builtins.getattr is a global a state dict never needs.
        var getattr = Assert.Throws<InputException>(() =>
            TorchCheckpoint.Open(WriteZipCheckpoint(folder, [0x80, 0x02, .. "cbuiltins\ngetattr\n."u8.ToArray()])));
        Assert.Contains("refusing global builtins.getattr", getattr.Message);
    }

    [Fact]
    public void TruncatedFilesAreRefusedInOneLine()
    {
        string folder = TestPaths.NewTempFolder();
        foreach (var name in new[] { "cfcd_r50w4.pyth", "cfcd_r50w4_legacy.pyth" })
        {
            var bytes = File.ReadAllBytes(Fixture(name));
            string truncated = Path.Combine(folder, name);
            File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);
            var error = Assert.Throws<InputException>(() => NetworkWeights.Load(truncated));
            Assert.StartsWith(truncated + ": ", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    [Fact]
    public void ForeignFilesAreNotCheckpoints()
    {
        var error = Assert.Throws<InputException>(() => TorchCheckpoint.Open(Fixture("image0.png")));
        Assert.EndsWith("not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save pickle)",
            error.Message);
    }

    [Theory]
    [InlineData(new long[] { 20000, 20000 }, new long[] { 0, 0 }, 0L, 1L, "a zero stride repeats elements")]
    [InlineData(new long[] { 4, 4 }, new long[] { 1, 1 }, 0L, 4L, "does not fit its storage of 4 elements")]
    [InlineData(new long[] { 2 }, new long[] { 1 }, -1L, 4L, "a negative storage offset")]
    [InlineData(new long[] { 2, 2 }, new long[] { 1L << 62, 1L << 62 }, 0L, 4L, "its size overflows")]
    [InlineData(new long[] { 1L << 32, 1L << 32 }, new long[] { 1L << 32, 1 }, 0L, 4L, "its size overflows")]
    [InlineData(new long[] { -1 }, new long[] { 1 }, 0L, 4L, "not a non-negative integer")]
    [InlineData(new long[] { 1 }, new long[] { 1 }, 0L, -5L, "declares -5 elements")]
    [InlineData(new long[] { 1 }, new long[] { 1 }, 0L, 1L << 62, "declares 4611686018427387904 elements")]
    public void TensorsTheirStorageCannotHoldAreRefusedBeforeAnythingIsRead(long[] shape, long[] strides, long offset,
        long storageElements, string problem)
    {
        var tensor = new StoredTensor("0", storageElements, offset, shape, strides);
        string path = TorchSaveFiles.Zip(TestPaths.NewTempFolder(), TorchSaveFiles.StateDict([("w", tensor)]),
            new Dictionary<string, byte[]> { ["0"] = new byte[4] });
        Refusal.Of(path, () => NetworkWeights.Load(path), problem);
    }

    [Fact]
    public void AStorageLargerThanItsEntryIsRefusedBeforeItIsAllocated()
    {
        var tensor = new StoredTensor("0", 1_000_000_000_000, 0, [4], [1]);
        string path = TorchSaveFiles.Zip(TestPaths.NewTempFolder(), TorchSaveFiles.StateDict([("w", tensor)]),
            new Dictionary<string, byte[]> { ["0"] = new byte[16] });
        using var checkpoint = TorchCheckpoint.Open(path);
        Refusal.Of(path, () => Read(checkpoint, "w"), "has 16 bytes, the pickle says 4000000000000");
    }

    [Fact]
    public void AStorageEntryThatInflatesFarBeyondItsSizeIsRefused()
    {
        const long elements = 16 << 20;
        var zeros = new byte[elements * 4];
        string path = TorchSaveFiles.Zip(TestPaths.NewTempFolder(),
            TorchSaveFiles.StateDict([("w", StoredTensor.Contiguous("0", elements))]),
            new Dictionary<string, byte[]> { ["0"] = zeros }, CompressionLevel.Optimal);
        using var checkpoint = TorchCheckpoint.Open(path);
        Refusal.Of(path, () => Read(checkpoint, "w"), "more than 32 times as many");
    }

    [Fact]
    public void ADataPickleDeclaringGigabytesIsRefusedBeforeItIsAllocated()
    {
        string path = TorchSaveFiles.Zip(TestPaths.NewTempFolder(), TorchSaveFiles.StateDict([]));
        var bytes = File.ReadAllBytes(path);
        // The uncompressed size in the local header (offset 22) and the central directory entry (offset 24).
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22), 0xF000_0000);
        int central = bytes.AsSpan().IndexOf("PK\u0001\u0002"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), 0xF000_0000);
        File.WriteAllBytes(path, bytes);
        Refusal.Of(path, () => TorchCheckpoint.Open(path),
            "declares 4026531840 bytes, more than the 1073741824 allowed");
    }

    [Theory]
    [InlineData("ByteStorage", "truncated: storage 0 needs 4611686018427387904 elements of 1 bytes")]
    [InlineData("FloatStorage", "declares 4611686018427387904 elements")]
    public void ALegacyStorageCountBeyondTheFileIsRefused(string storageType, string problem)
    {
        var tensor = new StoredTensor("0", 1L << 62, 0, [1], [1], storageType);
        string path = TorchSaveFiles.Legacy(TestPaths.NewTempFolder(), TorchSaveFiles.StateDict([("w", tensor)]),
            [("0", 1L << 62, new byte[8])]);
        Refusal.Of(path, () => TorchCheckpoint.Open(path), problem);
    }

    private static string WriteZipCheckpoint(string folder, byte[] dataPickle)
    {
        string path = Path.Combine(folder, $"evil{Guid.NewGuid():N}.pth");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var stream = zip.CreateEntry("evil/data.pkl", CompressionLevel.NoCompression).Open())
            stream.Write(dataPickle);
        return path;
    }
}
