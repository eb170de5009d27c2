using System.Reflection;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Native;

/// <summary>What the process runs on: cfcd, TorchSharp and libtorch versions, threads, CUDA, native
/// libraries.</summary>
public sealed record RuntimeReport(
    string CfcdVersion,
    string TorchSharpVersion,
    string LibTorchVersion,
    int CpuThreads,
    int LogicalCores,
    bool CudaAvailable,
    int CudaDevices,
    IReadOnlyList<string> NativeLibraries,
    string TensorCheck);

public static class TorchRuntime
{
    /// <summary>Loads libtorch (on first use of TorchSharp), runs one small tensor operation and reports.</summary>
    public static RuntimeReport Describe(ILogger logger)
    {
        string tensorCheck = RunTensorCheck();
        bool cuda = torch.cuda.is_available();
        logger.LogDebug("libtorch {Version} loaded, CUDA {Cuda}", torch.__version__,
            cuda ? "available" : "not available");
        return new RuntimeReport(
            CfcdVersion: InformationalVersion(typeof(TorchRuntime).Assembly),
            TorchSharpVersion: InformationalVersion(typeof(torch).Assembly),
            LibTorchVersion: torch.__version__,
            CpuThreads: torch.get_num_threads(),
            LogicalCores: Environment.ProcessorCount,
            CudaAvailable: cuda,
            CudaDevices: cuda ? torch.cuda.device_count() : 0,
            NativeLibraries: LoadedNativeLibraries(),
            TensorCheck: tensorCheck);
    }

    /// <summary>A 2x3 by 3x2 matrix product; every entry is 3 x 1.5 x 4/3 = 6.</summary>
    public static string RunTensorCheck()
    {
        using var scope = torch.NewDisposeScope();
        var product = torch.full(2, 3, 1.5f).matmul(torch.full(3, 2, 4.0f / 3.0f));
        var values = product.data<float>().ToArray();
        return $"[[{values[0]:0.###}, {values[1]:0.###}], [{values[2]:0.###}, {values[3]:0.###}]]";
    }

    /// <summary>The torch-related shared libraries mapped into this process, with the CUDA runtime libtorch uses
    /// (Linux; empty elsewhere).</summary>
    public static IReadOnlyList<string> LoadedNativeLibraries()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
            return [];
        return File.ReadLines(maps)
            .Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..] : "")
            .Where(path => Path.GetFileName(path) is var name
                && (name.StartsWith("libtorch", StringComparison.Ordinal)
                    || name.StartsWith("libLibTorchSharp", StringComparison.Ordinal)
                    || name.StartsWith("libc10", StringComparison.Ordinal)
                    || name.StartsWith("libcudart", StringComparison.Ordinal)))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
