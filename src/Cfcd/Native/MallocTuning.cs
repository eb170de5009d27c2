using System.Runtime.InteropServices;

namespace Cfcd.Native;

/// <summary>
/// Keeps glibc from returning libtorch's large activation buffers to the kernel after every step and faulting
/// them in again on the next (docs/performance-notes.md: most of TorchSharp's extra system time). Large blocks come
/// from the heap instead of fresh mmaps, and the heap is trimmed only when over 1 GiB is free at its top. Must run
/// before libtorch allocates; <c>CFCD_MALLOC_TUNING=0</c> leaves glibc's defaults (for comparisons).
/// </summary>
public static partial class MallocTuning
{
    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int MmapMax = -4;         // M_MMAP_MAX
    private const int TrimThresholdBytes = 1 << 30;

    /// <summary>Applies the settings; false where they do not apply (not glibc, or switched off).</summary>
    public static bool Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("CFCD_MALLOC_TUNING") == "0")
            return false;
        try
        {
            return Mallopt(MmapMax, 0) == 1 && Mallopt(TrimThreshold, TrimThresholdBytes) == 1;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
