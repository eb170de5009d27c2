using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Cfcd.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.IO;

public class SafeTensorsTests
{
    [Fact]
    public void RoundTripKeepsTypesShapesValuesAndMetadata()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "t.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["b.float"] = arange(6, dtype: ScalarType.Float32).view(2, 3),
            ["a.long"] = tensor(new long[] { 1, -2, 1L << 40 }),
            ["c.half"] = tensor(new float[] { 0.5f, 2f }).to_type(ScalarType.Float16),
            ["d.transposed"] = arange(6, dtype: ScalarType.Float32).view(2, 3).t(),
            ["e.empty"] = zeros(0, 4),
        };
        SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["depth"] = "50" });
        var back = SafeTensors.Read(path);
        Assert.Equal("50", back.Metadata["depth"]);
        foreach (var (name, original) in tensors)
        {
            Assert.Equal(original.dtype, back.Tensors[name].dtype);
            Assert.Equal(original.shape, back.Tensors[name].shape);
            Assert.True(original.to_type(ScalarType.Float64).allclose(back.Tensors[name].to_type(ScalarType.Float64), rtol: 0, atol: 0), name);
        }
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void TheHeaderIsTheDocumentedLayout()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "t.safetensors");
        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["w"] = ones(2, 2), ["v"] = ones(3) }, new Dictionary<string, string>());
        var bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var w = header.RootElement.GetProperty("w");
        Assert.Equal("F32", w.GetProperty("dtype").GetString());
        Assert.Equal("[2,2]", w.GetProperty("shape").GetRawText());
        // Sorted by name: v's 12 bytes first, then w's 16.
        Assert.Equal("[12,28]", w.GetProperty("data_offsets").GetRawText());
        Assert.Equal(8 + (long)headerLength + 28, bytes.Length);
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", "byte range [0, 4] does not fit")]
    [InlineData("{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "unsupported dtype C64")]
    [InlineData("{\"w\":{\"dtype\":\"F32\"}}", "malformed header entry")]
    [InlineData("{\"w\": [", "not valid JSON")]
    public void BadHeadersAreNamed(string header, string problem)
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "bad.safetensors");
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + headerBytes.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        File.WriteAllBytes(path, file);
        var error = Assert.Throws<InputException>(() => SafeTensors.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(problem, error.Message);
    }
}
