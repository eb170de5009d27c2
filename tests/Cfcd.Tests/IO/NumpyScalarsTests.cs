using System.Numerics;
using System.Text;
using Cfcd.IO;
using Cfcd.Modeling;
using static Cfcd.IO.PickleOpcodes;

namespace Cfcd.Tests.IO;

public class NumpyScalarsTests
{
    // 0.5 * 0.01 * (1 + np.cos(np.pi * 3 / 50)) and 0.5 * 0.2 * (1 + np.cos(np.pi * 99 / 100)), as numpy printed them.
    private const double CfcdLearningRate = 0.009911436253643444;
    private const double PyclsLearningRate = 4.93439634268289e-05;

    private static string Fixture(string name) => TestPaths.Fixture("Modeling", name);

    [Fact]
    public void EveryNumericScalarReadsAsItsValue()
    {
        // scripts/make_model_fixture.py: pickle.dump of numpy scalars of every numeric dtype, protocol 2.
        var path = Fixture("numpy_scalars.pkl");
        var root = Assert.IsType<Dictionary<object, object?>>(
            PickleReader.Load(File.ReadAllBytes(path), path, new TorchPickle()));
        Assert.Equal(true, root["b1"]);
        Assert.Equal(new object[] { -5L, 250L, -300L, 65000L, -70000L, 4_000_000_000L, -(1L << 40) },
            new[] { "i1", "u1", "i2", "u2", "i4", "u4", "i8" }.Select(code => root[code]));
        Assert.Equal(BigInteger.Parse("18446744073709551615"), root["u8"]);
        Assert.Equal(0.5, root["f2"]);
        Assert.Equal((double)0.1f, root["f4"]);
        Assert.Equal(CfcdLearningRate, root["f8"]);
        Assert.Equal(new byte[] { 0, 0xff }, root["bytes"]);
        Assert.Equal(new object[] { CfcdLearningRate, CfcdLearningRate }, Assert.IsType<List<object?>>(root["shared"]));
    }

    [Theory]
    [InlineData("cfcd_r50w4.pyth", 3L, CfcdLearningRate, 164)]
    [InlineData("cfcd_r50w4_legacy.pyth", 3L, CfcdLearningRate, 164)]
    [InlineData("pycls_r18w4.pyth", 99L, PyclsLearningRate, 62)]
    [InlineData("pycls_r18w4_legacy.pyth", 99L, PyclsLearningRate, 62)]
    public void AnOfficialTrainingCheckpointReadsWithItsOptimiserState(string name, long epoch, double rate,
        int momentumBuffers)
    {
        using var checkpoint = TorchCheckpoint.Open(Fixture(name));
        var root = Assert.IsType<Dictionary<object, object?>>(checkpoint.Root);
        Assert.Equal(epoch, root["epoch"]);
        Assert.StartsWith("MODEL:\n", Assert.IsType<string>(root["cfg"]));
        var optimiser = Assert.IsType<Dictionary<object, object?>>(root["optimizer_state"]);
        var groups = Assert.IsType<List<object?>>(optimiser["param_groups"]);
        var group = Assert.IsType<Dictionary<object, object?>>(groups[0]);
        Assert.Equal(rate, group["lr"]);
        Assert.Equal(true, group["nesterov"]);
        var state = Assert.IsType<Dictionary<object, object?>>(optimiser["state"]);
        Assert.Equal(momentumBuffers, state.Count);
        Assert.All(state.Values, buffers =>
            Assert.IsType<PickledTensor>(Assert.IsType<Dictionary<object, object?>>(buffers)["momentum_buffer"]));
    }

    [Theory]
    [InlineData("numpy.core.multiarray")]
    [InlineData("numpy._core.multiarray")]
    public void NumpyOneAndTwoModuleNamesReadTheSame(string module)
    {
        // numpy.float64(1.5) as numpy 1 and numpy 2 pickle it: the bytes are 1.5's little-endian IEEE 754 double.
        string bytes = Encoding.Latin1.GetString(BitConverter.GetBytes(1.5));
        var pickle = new PickleAssembler().Global(module, "scalar").Dtype("f8", DtypeState("<"))
            .Global("_codecs", "encode").Tuple(p => p.Text(bytes).Text("latin1")).Op(Reduce)
            .Op(Tuple2).Op(Reduce).Stop();
        Assert.Equal(1.5, PickleReader.Load(pickle, "scalar.pkl", new TorchPickle()));
    }

    /// <summary>
    /// Pickles that try to get code run through the names the reader now allows, each carrying a command that would
    /// leave a marker file: all are refused where they stray from a numeric scalar, and the marker never appears.
    /// </summary>
    [Theory]
    [InlineData("runstring", "refusing global numpy.testing._private.utils.runstring: only the constructors")]
    [InlineData("object dtype", "numpy dtype O8 is not a numeric type")]
    [InlineData("scalar of a command", "numpy scalar with arguments other than (dtype, bytes)")]
    [InlineData("encode with another codec", "_codecs.encode with arguments other than (text, 'latin1')")]
    [InlineData("build on a global", "BUILD on numpy.dtype is not supported")]
    [InlineData("dtype state hiding a command", "numpy dtype f8 with a state a numeric dtype does not have")]
    [InlineData("scalar bytes of the wrong size", "numpy scalar of dtype f8 with")]
    [InlineData("big-endian dtype", "numpy dtype >f8: big-endian values are not read")]
    public void PicklesHidingBehindTheNumpyNamesAreRefusedAndRunNothing(string attack, string problem)
    {
        string folder = TestPaths.NewTempFolder();
        string marker = Path.Combine(folder, "ran");
        string command = $"touch {marker}";
        var pickle = new PickleAssembler();
        switch (attack)
        {
            case "runstring":
                pickle.Global("numpy.testing._private.utils", "runstring")
                    .Tuple(p => p.Text($"import os; os.system('{command}')").Op(EmptyDict)).Op(Reduce);
                break;
            case "object dtype":
                pickle.Global("numpy.core.multiarray", "scalar").Dtype("O8", DtypeState("|"))
                    .Global("posix", "system").Op(Tuple2).Op(Reduce);
                break;
            case "scalar of a command":
                pickle.Global("numpy.core.multiarray", "scalar").Tuple(p => p.Text(command).Text("")).Op(Reduce);
                break;
            case "encode with another codec":
                pickle.Global("_codecs", "encode").Tuple(p => p.Text(command).Text("rot13")).Op(Reduce);
                break;
            case "build on a global":
                pickle.Global("numpy", "dtype").Op(EmptyDict).Text("__reduce__").Text(command).Op(SetItem)
                    .Op(PickleOpcodes.Build);
                break;
            case "dtype state hiding a command":
                pickle.Dtype("f8", p => p.Tuple(q => q.Int(3).Text("<").Op(None).Op(None)
                    .Tuple(r => r.Text(command)).Int(-1).Int(-1).Int(0)));
                break;
            case "scalar bytes of the wrong size":
                pickle.Global("numpy.core.multiarray", "scalar").Dtype("f8", DtypeState("<"))
                    .Global("_codecs", "encode").Tuple(p => p.Text(command).Text("latin1")).Op(Reduce)
                    .Op(Tuple2).Op(Reduce);
                break;
            case "big-endian dtype":
                pickle.Dtype("f8", DtypeState(">"));
                break;
        }
        string path = TorchSaveFiles.Zip(folder, pickle.Stop());

        Refusal.Of(path, () => NetworkWeights.Load(path), problem);
        Assert.False(File.Exists(marker));
    }

    /// <summary>A numeric dtype's pickled state: (3, byte order, None, None, None, -1, -1, 0).</summary>
    private static Action<PickleAssembler> DtypeState(string order) => p =>
        p.Tuple(q => q.Int(3).Text(order).Op(None).Op(None).Op(None).Int(-1).Int(-1).Int(0));

    /// <summary>Protocol-2 pickles written opcode by opcode, as a hostile writer would.</summary>
    private sealed class PickleAssembler
    {
        private readonly List<byte> _bytes = [Proto, 2];

        public PickleAssembler Op(byte opcode)
        {
            _bytes.Add(opcode);
            return this;
        }

        public PickleAssembler Global(string module, string name)
        {
            _bytes.Add(PickleOpcodes.Global);
            _bytes.AddRange(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
            return this;
        }

        public PickleAssembler Text(string text)
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            _bytes.Add(BinUnicode);
            _bytes.AddRange(BitConverter.GetBytes(utf8.Length));
            _bytes.AddRange(utf8);
            return this;
        }

        public PickleAssembler Int(int value)
        {
            _bytes.Add(BinInt);
            _bytes.AddRange(BitConverter.GetBytes(value));
            return this;
        }

        public PickleAssembler Tuple(Action<PickleAssembler> items)
        {
            Op(Mark);
            items(this);
            return Op(MarkTuple);
        }

        /// <summary><c>numpy.dtype(code, False, True)</c>, then BUILD with the state <paramref name="state"/> writes.
        /// </summary>
        public PickleAssembler Dtype(string code, Action<PickleAssembler> state)
        {
            Global("numpy", "dtype").Tuple(p => p.Text(code).Op(NewFalse).Op(NewTrue)).Op(Reduce);
            state(this);
            return Op(PickleOpcodes.Build);
        }

        public byte[] Stop() => [.. _bytes, PickleOpcodes.Stop];
    }
}
