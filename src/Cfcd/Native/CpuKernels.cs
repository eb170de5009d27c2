namespace Cfcd.Native;

/// <summary>Which kernels libtorch runs convolutions with on the CPU.</summary>
public enum CpuKernels
{
    /// <summary>libtorch's default: oneDNN at the best instruction set the processor reports.</summary>
    OneDnn,

    /// <summary>oneDNN limited to its AVX kernels (<c>ONEDNN_MAX_CPU_ISA=AVX</c>).</summary>
    OneDnnAvx,

    /// <summary>libtorch's own convolutions (im2col and its BLAS), with oneDNN switched off.</summary>
    Aten,
}

public static class CpuKernelNames
{
    private static readonly Dictionary<string, CpuKernels> ByName = new(StringComparer.Ordinal)
    {
        ["onednn"] = CpuKernels.OneDnn,
        ["onednn-avx"] = CpuKernels.OneDnnAvx,
        ["aten"] = CpuKernels.Aten,
    };

    public static string Name(this CpuKernels kernels) => ByName.Single(pair => pair.Value == kernels).Key;

    /// <summary>The kernels a name (as in <c>CFCD_CPU_KERNELS</c>) stands for; null where it names none.</summary>
    public static CpuKernels? Parse(string name) =>
        ByName.TryGetValue(name.Trim().ToLowerInvariant(), out var kernels) ? kernels : null;

    public static string Expected => string.Join(", ", ByName.Keys);

    /// <summary>
    /// Makes this process use the kernels. Must come before the first convolution: oneDNN reads its instruction-set
    /// cap once, at its first use.
    /// </summary>
    public static void Apply(this CpuKernels kernels)
    {
        switch (kernels)
        {
            case CpuKernels.OneDnnAvx:
                LibTorchContext.SetNativeEnvironment("ONEDNN_MAX_CPU_ISA", "AVX");
                break;
            case CpuKernels.Aten:
                LibTorchContext.SetOneDnnEnabled(false);
                break;
        }
    }
}
