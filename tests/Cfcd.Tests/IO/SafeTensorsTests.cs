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
            Assert.True(original.to_type(ScalarType.Float64)
                .allclose(back.Tensors[name].to_type(ScalarType.Float64), rtol: 0, atol: 0), name);
        }
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void TheHeaderIsTheDocumentedLayout()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "t.safetensors");
        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["w"] = ones(2, 2), ["v"] = ones(3) },
            new Dictionary<string, string>());
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
    [InlineData("{'w':{'dtype':'F32','shape':[-1],'data_offsets':[0,0]}}", "shape [-1] is not a tensor shape")]
    [InlineData("{'w':{'dtype':'F32','shape':[4294967296,4294967296],'data_offsets':[0,8]}}", "is too large")]
    [InlineData("{'w':{'dtype':'F32','shape':[1.5],'data_offsets':[0,8]}}", "shape is not a list of integers")]
    [InlineData("{'w':{'dtype':'F32','shape':[2],'data_offsets':[8,0]}}", "byte range [8, 0] does not fit")]
    [InlineData("{'w':{'dtype':'U8','shape':[1],'data_offsets':[0,1]},'w':{}}", "the header names w twice")]
    [InlineData("{'__metadata__':{'gem_p':'3','gem_p':'nan'}}", "__metadata__ names gem_p twice")]
    [InlineData("{'w':{'dtype':'U8','dtype':'F32','shape':[1],'data_offsets':[0,1]}}", "tensor w names dtype twice")]
    [InlineData("{'w\\ud800':{'dtype':'U8','shape':[1],'data_offsets':[0,1]}}", "not valid JSON")]
    public void BadHeadersAreNamed(string header, string problem)
    {
        // Single quotes keep the cases readable; JSON needs double ones.
        string path = WriteRaw(Encoding.UTF8.GetBytes(header.Replace('\'', '"')), new byte[8]);
        Refusal.Of(path, () => SafeTensors.Read(path), problem);
    }

    [Fact]
    public void ANameThatIsNotUtf8IsRefused()
    {
        var header = Encoding.UTF8.GetBytes("{\"w?\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}");
        header[3] = 0xff;
        string path = WriteRaw(header, new byte[1]);
        Refusal.Of(path, () => SafeTensors.Read(path), "the safetensors header is not valid UTF-8");
    }

    [Fact]
    public void EntriesThatAliasOneByteRangeAreRefusedBeforeAnyIsCopied()
    {
        // 2,000 names for the same 2.8 MB: copying each would take 5.6 GB.
        const int bytes = 2_800_000;
        var entries = Enumerable.Range(0, 2000)
            .Select(i => $"\"t{i}\":{{\"dtype\":\"U8\",\"shape\":[{bytes}],\"data_offsets\":[0,{bytes}]}}");
        string path = WriteRaw(Encoding.UTF8.GetBytes("{" + string.Join(",", entries) + "}"), new byte[bytes]);
        Refusal.Of(path, () => SafeTensors.Read(path), "share bytes from offset 0");
    }

    [Fact]
    public void QuotedNamesAreEscapedAndCut()
    {
        string name = "\u0001" + new string('k', 999_999);
        string escaped = name.Replace("\u0001", "\\u0001");
        string header = $"{{\"{escaped}\":{{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}}}";
        string path = WriteRaw(Encoding.UTF8.GetBytes(header), new byte[8]);
        var error = Refusal.Of(path, () => SafeTensors.Read(path), "tensor \\x01kkk");
        Assert.Contains("... (1000000 characters) has unsupported dtype C64", error.Message);
        Assert.True(error.Message.Length < path.Length + 200, error.Message);
    }

    private static string WriteRaw(byte[] header, byte[] data)
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "bad.safetensors");
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        File.WriteAllBytes(path, file);
        return path;
    }
}
