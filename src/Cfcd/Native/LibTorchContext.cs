using System.Runtime.InteropServices;
using TorchSharp;

namespace Cfcd.Native;

/// <summary>
/// The few switches of libtorch's global context that TorchSharp does not expose, called through their exported
/// (mangled C++) names in the libtorch_cpu library the process has loaded, the current CUDA device (through the CUDA
/// runtime libtorch loaded), and libc's <c>setenv</c>, which native code reads (.NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it).
/// </summary>
internal static unsafe partial class LibTorchContext
{
    private static readonly Lazy<nint> Library = new(LoadLibTorchCpu);
    private static readonly Lazy<nint> CudaRuntime = new(LoadCudaRuntime);

    /// <summary>Whether libtorch may run convolutions and other operators through oneDNN (its default: yes).</summary>
    public static void SetOneDnnEnabled(bool enabled)
    {
        var set = (delegate* unmanaged<nint, byte, void>)Export("_ZN2at7Context20setUserEnabledMkldnnEb");
        set(GlobalContext(), enabled ? (byte)1 : (byte)0);
    }

    /// <summary>Whether libtorch may try NNPACK for convolutions (its default: yes).</summary>
    public static void SetNnpackEnabled(bool enabled)
    {
        var set = (delegate* unmanaged<nint, byte, void>)Export("_ZN2at7Context20setUserEnabledNNPACKEb");
        set(GlobalContext(), enabled ? (byte)1 : (byte)0);
    }

    /// <summary>
    /// Initialises NNPACK if it has not been tried and says whether it works here. On a processor NNPACK does not
    /// support, libtorch prints its "Could not initialize NNPACK" warning here, once.
    /// </summary>
    public static bool NnpackAvailable() =>
        ((delegate* unmanaged<byte>)Export("_ZN2at6native17_nnpack_availableEv"))() != 0;

    /// <summary>Makes CUDA device <paramref name="index"/> the calling thread's current one, as PyTorch's
    /// <c>torch.cuda.set_device</c> does (TorchSharp has none); NCCL makes its communicator on that device.</summary>
    public static void SetCudaDevice(int index)
    {
        var set = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(CudaRuntime.Value, "cudaSetDevice");
        if (set(index) is var error and not 0)
            throw new InvalidOperationException($"cudaSetDevice({index}) failed: cudaError_t {error}");
    }

    /// <summary>Sets a variable in the native environment, where libtorch and oneDNN read theirs.</summary>
    public static void SetNativeEnvironment(string name, string value)
    {
        if (SetEnv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private static nint GlobalContext() => ((delegate* unmanaged<nint>)Export("_ZN2at13globalContextEv"))();

    private static nint Export(string name) =>
        NativeLibrary.TryGetExport(Library.Value, name, out var address)
            ? address
            : throw new InvalidOperationException(
                $"libtorch_cpu does not export {name}; this libtorch is not the one cfcd was built for");

    private static nint LoadLibTorchCpu()
    {
        torch.InitializeDeviceType(DeviceType.CPU);   // TorchSharp loads libtorch on first use
        string path = TorchRuntime.LoadedNativeLibraries().FirstOrDefault(p => Path.GetFileName(p) == "libtorch_cpu.so")
            ?? throw new InvalidOperationException("libtorch_cpu.so is not loaded in this process");
        return NativeLibrary.Load(path);
    }

    private static nint LoadCudaRuntime()
    {
        torch.InitializeDeviceType(DeviceType.CUDA);
        string path = TorchRuntime.LoadedNativeLibraries()
            .FirstOrDefault(p => Path.GetFileName(p).StartsWith("libcudart", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("libtorch's CUDA runtime (libcudart) is not loaded in this process");
        return NativeLibrary.Load(path);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
