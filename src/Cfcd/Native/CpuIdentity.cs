using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Cfcd.Native;

/// <summary>
/// What the processor tells software about itself through CPUID: the leaves oneDNN chooses and sizes its kernels
/// from (vendor, family and model, instruction sets, cache parameters). Two hosts with the same signature get the
/// same kernels, so a kernel check made on one holds for the other.
/// </summary>
public static class CpuIdentity
{
    /// <summary>
    /// The leaves as hex words, per-core fields (APIC ids) left out; elsewhere than x86, /proc/cpuinfo.
    /// </summary>
    public static string Signature()
    {
        if (!X86Base.IsSupported)
            return File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo").Split("\n\n")[0] : "unknown";
        var text = new StringBuilder();
        uint maxLeaf = (uint)X86Base.CpuId(0, 0).Eax;
        uint maxExtended = MaxExtendedLeaf();
        foreach (var (leaf, subleaf) in Leaves())
        {
            bool present = leaf >= 0x80000000 ? leaf <= maxExtended : leaf <= maxLeaf;
            var (a, b, c, d) = present ? X86Base.CpuId(unchecked((int)leaf), subleaf) : default;
            if (leaf == 1)
                b &= 0x00FF_FFFF;   // bits 24-31: the APIC id of the core that ran this
            text.Append($"{leaf:x}.{subleaf}:{a:x8}{b:x8}{c:x8}{d:x8} ");
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// True where the cache-parameter leaves (4, and AMD's 0x8000001D) report no cache at all, as some virtual
    /// machines do: libraries that size their blocking from them then see caches of zero bytes.
    /// </summary>
    public static bool HidesCacheLeaves()
    {
        if (!X86Base.IsSupported)
            return false;
        bool Empty(uint leaf) => X86Base.CpuId(unchecked((int)leaf), 0) == (0, 0, 0, 0);
        return Empty(4) && (MaxExtendedLeaf() < 0x8000001D || Empty(0x8000001D));
    }

    /// <summary>The processor's marketing name (the "model name" lscpu prints).</summary>
    public static string ModelName()
    {
        const string cpuinfo = "/proc/cpuinfo";
        string? line = File.Exists(cpuinfo)
            ? File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
            : null;
        return line?.Split(':', 2)[1].Trim()
            ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static uint MaxExtendedLeaf() => (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax;

    private static IEnumerable<(uint Leaf, int Subleaf)> Leaves()
    {
        yield return (0, 0);
        yield return (1, 0);
        yield return (7, 0);
        yield return (7, 1);
        for (int level = 0; level < 4; level++)
            yield return (4, level);
        yield return (0x80000001, 0);
        yield return (0x80000005, 0);
        yield return (0x80000006, 0);
        for (int level = 0; level < 4; level++)
            yield return (0x8000001D, level);
    }
}
