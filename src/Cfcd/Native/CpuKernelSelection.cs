using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cfcd.IO;
using TorchSharp;

namespace Cfcd.Native;

public enum KernelCheckOutcome { Passed, Differs, Crashed }

/// <summary>What the kernel check said of one choice of kernels, run in a child process.</summary>
public sealed record KernelCheckObservation(CpuKernels Kernels, KernelCheckOutcome Outcome, string Detail);

/// <summary>The kernels this process uses, where the choice came from, and why.</summary>
public sealed record CpuKernelChoice(
    CpuKernels Kernels, string Source, string Reason, IReadOnlyList<KernelCheckObservation> Observations)
{
    /// <summary>
    /// True when the check ran now (not read from the cache): the one time a fallback is worth a warning.
    /// </summary>
    [JsonIgnore]
    public bool Fresh { get; init; }
}

/// <summary>
/// Chooses libtorch's CPU kernels once per process, before the first convolution. On some hosts oneDNN's kernels
/// crash or compute wrong gradients (an AMD EPYC VM whose CPUID hides its cache parameters: SIGFPE in a
/// backward-data primitive, NaN losses; docs/cpu-kernels.md), so cfcd does not trust them blindly: a child process
/// runs every convolution shape cfcd trains, forward and backward, with the default kernels and compares it with
/// float64 (<see cref="KernelSelfCheck"/>); if it crashes or differs, the fallbacks are checked the same way and
/// the first that passes is used. The verdict is cached per processor signature and libtorch version, so the check
/// runs once per host. <c>CFCD_CPU_KERNELS</c> (auto, onednn, onednn-avx, aten) overrides it; a user's own
/// <c>ONEDNN_MAX_CPU_ISA</c> is respected as it is.
/// </summary>
public static class CpuKernelSelection
{
    public const string Variable = "CFCD_CPU_KERNELS";

    /// <summary>Bump when the check's cases or tolerance change, so that cached verdicts are made again.</summary>
    private const int CheckVersion = 1;

    /// <summary>
    /// The order the kernels are tried in: the default, then the faster fallback (docs/cpu-kernels.md).
    /// </summary>
    public static IReadOnlyList<CpuKernels> Candidates { get; } =
        [CpuKernels.OneDnn, CpuKernels.OneDnnAvx, CpuKernels.Aten];

    private static readonly Lock Gate = new();

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The choice in force, once <see cref="Configure"/> has run.</summary>
    public static CpuKernelChoice? Current { get; private set; }

    /// <summary>
    /// Chooses (or reads from the environment or cache) and applies the kernels; later calls return the first choice.
    /// </summary>
    public static CpuKernelChoice Configure()
    {
        lock (Gate)
        {
            if (Current is null)
            {
                Current = Choose(Environment.GetEnvironmentVariable, KernelCheckProcess.Run, CacheFolder());
                Current.Kernels.Apply();
                SilenceUnavailableNnpack();
            }
            return Current;
        }
    }

    /// <summary>
    /// The choice from the environment, the cache in <paramref name="cacheFolder"/> or, failing both, the check.
    /// </summary>
    public static CpuKernelChoice Choose(
        Func<string, string?> environment, Func<CpuKernels, KernelCheckObservation> check, string cacheFolder)
    {
        string? requested = environment(Variable);
        if (!string.IsNullOrWhiteSpace(requested) && requested.Trim() != "auto")
        {
            var kernels = CpuKernelNames.Parse(requested)
                ?? throw new InputException($"{Variable}={requested}: expected auto, {CpuKernelNames.Expected}");
            return new CpuKernelChoice(kernels, Variable, $"set by {Variable}={requested.Trim()}", []);
        }
        if (environment("ONEDNN_MAX_CPU_ISA") is { Length: > 0 } isa)
            return new CpuKernelChoice(
                CpuKernels.OneDnn,
                "ONEDNN_MAX_CPU_ISA",
                $"oneDNN capped by the user's ONEDNN_MAX_CPU_ISA={isa}; not checked",
                []);
        string cacheFile = CacheFile(cacheFolder);
        if (ReadCache(cacheFile) is { } cached)
            return cached;
        CpuKernelChoice choice;
        try
        {
            choice = Decide(check) with { Fresh = true };
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // No cfcd to run the check with (the library hosted elsewhere): libtorch's default, said, not cached.
            return new CpuKernelChoice(
                CpuKernels.OneDnn, "unchecked", $"the kernel check could not run: {error.Message}", []);
        }
        WriteCache(cacheFile, choice);
        return choice;
    }

    /// <summary>
    /// The decision alone: the first candidate whose check passes, trying them in order and stopping there.
    /// </summary>
    public static CpuKernelChoice Decide(Func<CpuKernels, KernelCheckObservation> check)
    {
        var observations = new List<KernelCheckObservation>();
        foreach (var kernels in Candidates)
        {
            var observation = check(kernels);
            observations.Add(observation);
            if (observation.Outcome == KernelCheckOutcome.Passed)
                return new CpuKernelChoice(kernels, "check", Explain(observations), observations);
        }
        // Nothing passed (a broken libtorch build?): keep libtorch's default and say so; cfcd's checks would
        // fail too.
        return new CpuKernelChoice(
            CpuKernels.OneDnn, "check", Explain(observations) + "; no candidate passed, keeping oneDNN", observations);
    }

    private static string Explain(List<KernelCheckObservation> observations)
    {
        var last = observations[^1];
        if (observations.Count == 1)
            return $"{last.Kernels.Name()} passed the kernel check ({last.Detail})";
        string failures = string.Join("; ", observations.Where(o => o.Outcome != KernelCheckOutcome.Passed)
            .Select(o =>
                $"{o.Kernels.Name()} {(o.Outcome == KernelCheckOutcome.Crashed ? "crashed" : "differs")}: {o.Detail}"));
        string hint = CpuIdentity.HidesCacheLeaves() ? " (this processor's CPUID reports no cache parameters)" : "";
        return last.Outcome == KernelCheckOutcome.Passed
            ? $"{failures}{hint}; {last.Kernels.Name()} passed ({last.Detail})"
            : failures + hint;
    }

    /// <summary>
    /// The file a host's verdict is kept in: one per processor signature, libtorch version and check version.
    /// </summary>
    public static string CacheFile(string cacheFolder) =>
        Path.Combine(cacheFolder, $"cpu-kernels-{HostKey()}.json");

    /// <summary>
    /// $CFCD_CACHE_DIR, else $XDG_CACHE_HOME/cfcd, else ~/.cache/cfcd (the temp folder without a home).
    /// </summary>
    public static string CacheFolder()
    {
        if (Environment.GetEnvironmentVariable("CFCD_CACHE_DIR") is { Length: > 0 } folder)
            return folder;
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg)
            return Path.Combine(xdg, "cfcd");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 0 ? Path.Combine(home, ".cache", "cfcd") : Path.Combine(Path.GetTempPath(), "cfcd-cache");
    }

    private static string HostKey()
    {
        string identity = $"{CheckVersion}|{torch.__version__}|{CpuIdentity.Signature()}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
    }

    private static CpuKernelChoice? ReadCache(string path)
    {
        try
        {
            var choice = File.Exists(path)
                ? JsonSerializer.Deserialize<CpuKernelChoice>(File.ReadAllText(path), Json)
                : null;
            return choice is { Observations: not null, Reason: not null }
                ? choice with { Source = $"cache {path}" }
                : null;
        }
        catch (Exception error) when (error is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;   // an unreadable verdict is made again
        }
    }

    private static void WriteCache(string path, CpuKernelChoice choice)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(choice, Json));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // A read-only home: the check runs again next time, which costs time but nothing else.
        }
    }

    /// <summary>
    /// Where NNPACK cannot start (libtorch warns on every convolution then), ask once and switch it off.
    /// </summary>
    private static void SilenceUnavailableNnpack()
    {
        if (!LibTorchContext.NnpackAvailable())
            LibTorchContext.SetNnpackEnabled(false);
    }
}
