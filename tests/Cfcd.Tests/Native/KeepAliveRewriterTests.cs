using System.Security.Cryptography;
using Cfcd.Build;
using Cfcd.Native;
using Cfcd.Tests.Cli;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;
using TorchSharp;

namespace Cfcd.Tests.Native;

public class KeepAliveRewriterTests
{
    private static string PristineTorchSharp =>
        Path.Combine(TestPaths.NuGetPackageRoot, "torchsharp", "0.107.0", "lib", "net8.0", "TorchSharp.dll");

    private static string PristineCopy()
    {
        string copy = Path.Combine(TestPaths.NewTempFolder(), "TorchSharp.dll");
        File.Copy(PristineTorchSharp, copy);
        return copy;
    }

    [Fact]
    public void APristineCopyIsRewrittenOnceAndTheCacheIsNotTouched()
    {
        byte[] cacheBefore = SHA256.HashData(File.ReadAllBytes(PristineTorchSharp));
        string copy = PristineCopy();
        Assert.NotNull(KeepAliveRewriter.RewriteInPlace(copy));
        byte[] once = File.ReadAllBytes(copy);
        Assert.Null(KeepAliveRewriter.RewriteInPlace(copy));   // idempotent
        Assert.Equal(once, File.ReadAllBytes(copy));
        Assert.Equal(cacheBefore, SHA256.HashData(File.ReadAllBytes(PristineTorchSharp)));
        Assert.False(KeepAliveRewriter.IsRewritten(ModuleDefinition.ReadModule(PristineTorchSharp)));
    }

    [Fact]
    public void TensorsAndScalarsAreTheFinalizableTypes()
    {
        using var module = ModuleDefinition.ReadModule(PristineTorchSharp);
        var finalizable = KeepAliveRewriter.FinalizableTypes(module);
        Assert.Contains("TorchSharp.torch/Tensor", finalizable);
        Assert.Contains("TorchSharp.Scalar", finalizable);
        Assert.Contains("TorchSharp.Modules.Parameter", finalizable);   // through its base type, Tensor
        Assert.Contains("TorchSharp.torch/nn/Module", finalizable);   // modules free their handles in finalizers too
        Assert.DoesNotContain("TorchSharp.torch", finalizable);
    }

    [Fact]
    public void AddWithAScalarKeepsItsTensorAndScalarAliveAtEveryReturn()
    {
        string copy = PristineCopy();
        KeepAliveRewriter.RewriteInPlace(copy);
        using var module = ModuleDefinition.ReadModule(copy);
        var tensor = module.GetTypes().Single(t => t.FullName == "TorchSharp.torch/Tensor");
        var add = tensor.Methods.Single(m =>
            m.Name == "add_" && m.Parameters.Count == 1 && m.Parameters[0].ParameterType.Name == "Scalar");
        add.Body.SimplifyMacros();   // ldarg.1 -> ldarg with its parameter, so the loads can be named
        var rets = add.Body.Instructions.Where(i => i.OpCode == OpCodes.Ret).ToList();
        Assert.NotEmpty(rets);
        foreach (var ret in rets)
        {
            var kept = KeptAliveBefore(ret);
            Assert.Contains("this", kept);
            Assert.Contains(add.Parameters[0].Name, kept);
        }
        // add_(Tensor) hands a hidden Scalar (alpha 1) to add_(Tensor, Scalar): that call's callee keeps it, and a
        // Scalar a method makes itself is spilled and kept: count such temporaries over the assembly.
        Assert.Contains(module.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody),
            m => m.Body.Instructions.Any(i => i.OpCode == OpCodes.Call
                && i.Operand is MethodReference { Name: "op_Implicit", ReturnType.Name: "Scalar" }
                && i.Next?.OpCode == OpCodes.Dup));
    }

    /// <summary>
    /// The names of what the keep-alive calls just before a ret load (ldarg/ldloc then call GC.KeepAlive).
    /// </summary>
    private static List<string> KeptAliveBefore(Instruction ret)
    {
        var names = new List<string>();
        for (var call = ret.Previous;
             call is { OpCode.Code: Code.Call, Operand: MethodReference { Name: "KeepAlive" } };
             call = call.Previous.Previous)
            names.Add(call.Previous.Operand switch
            {
                ParameterDefinition p => p.Index < 0 ? "this" : p.Name,
                VariableDefinition v => $"local {v.Index}",
                _ => call.Previous.ToString(),
            });
        return names;
    }

    [Fact]
    public void TheTorchSharpThisProcessRunsIsTheRewrittenOne()
    {
        Assert.Contains(KeepAliveRewriter.Marker, typeof(torch).Assembly.GetManifestResourceNames());
    }

    [Fact]
    public void UnderCollectionsThePristineAssemblyFailsAndTheRewrittenOneDoesNot()
    {
        // The hazard is real: the same cfcd with TorchSharp as NuGet ships it fails within seconds under stress.
        string pristineApp = AppWithPristineTorchSharp();
        var (pristineExit, pristineOutput) = RunStress(pristineApp, seconds: 20);
        Assert.True(
            pristineExit != 0 && !pristineOutput.Contains(": right"),
            $"the pristine TorchSharp survived: {pristineOutput}");

        var (exit, output) = RunStress(AppContext.BaseDirectory, seconds: 3);
        Assert.True(exit == 0, output);
        Assert.Matches(@"\d+ calls, sum \d+, \d+ forced collections: right", output);
    }

    private static (int Exit, string Output) RunStress(string folder, double seconds)
    {
        var result = CfcdProcess.Run(folder, new Dictionary<string, string?> { [GcStress.Variable] = null },
            TimeSpan.FromSeconds(seconds + 60),
            "stress-scalars", "--seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return (result.ExitCode, result.Out + result.Error);
    }

    /// <summary>
    /// A copy of this test folder's cfcd whose TorchSharp.dll is the package's own (native libraries linked, not
    /// copied).
    /// </summary>
    private static string AppWithPristineTorchSharp()
    {
        string source = AppContext.BaseDirectory, folder = TestPaths.NewTempFolder();
        foreach (string file in Directory.GetFiles(source))
        {
            string target = Path.Combine(folder, Path.GetFileName(file));
            if (new FileInfo(file).Length > 16 << 20)
                File.CreateSymbolicLink(target, file);
            else
                File.Copy(file, target);
        }
        foreach (string directory in Directory.GetDirectories(source))
            Directory.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(directory)), directory);
        File.Copy(PristineTorchSharp, Path.Combine(folder, "TorchSharp.dll"), overwrite: true);
        return folder;
    }
}
