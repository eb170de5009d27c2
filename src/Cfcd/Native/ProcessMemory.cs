namespace Cfcd.Native;

/// <summary>Memory figures of this process for benchmarks (Linux /proc; 0 elsewhere).</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM), in bytes.</summary>
    public static long PeakResidentBytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
            return 0;
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
                    System.Globalization.CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    /// <summary>Starts the peak (VmHWM) afresh from the current resident size (Linux: /proc/self/clear_refs).</summary>
    public static void ResetPeak()
    {
        const string clearRefs = "/proc/self/clear_refs";
        if (File.Exists(clearRefs))
            File.WriteAllText(clearRefs, "5");
    }
}
