using System.Diagnostics;
using System.Text.RegularExpressions;
using Cfcd.Native;

namespace Cfcd.Tests.Fuzzing;

/// <summary>What one fuzz run saw: inputs read cleanly, inputs refused, and what went wrong otherwise.</summary>
internal sealed record FuzzReport(string Target, int Inputs, int Accepted, int Refused, long PeakResidentBytes,
    IReadOnlyList<string> Findings, IReadOnlyDictionary<string, int> Refusals);

/// <summary>
/// Feeds a reader mutated inputs in this process. A clean result and an <see cref="InputException"/> with a
/// one-line message are the only acceptable outcomes; anything else, an input slower than the bound or memory
/// above the bound is a finding, and its input is kept as a reproducer file.
/// </summary>
internal static partial class FuzzRunner
{
    public const long MaxPeakResidentBytes = 1_500_000_000;
    private static readonly TimeSpan MaxInputTime = TimeSpan.FromSeconds(20);

    public static FuzzReport Run(FuzzTarget target, int inputs, int seed, string findingsFolder)
    {
        var mutator = new ByteMutator(seed, target.Tokens);
        string folder = TestPaths.NewTempFolder();
        var findings = new List<string>();
        int accepted = 0, refused = 0;
        var refusals = new Dictionary<string, int>();
        ProcessMemory.ResetPeak();
        for (int i = 0; i < inputs; i++)
        {
            var input = target.Mutate(target.Seeds[mutator.Random.Next(target.Seeds.Count)], mutator, target.Seeds);
            string path = Path.Combine(folder, $"input{target.Extension}");
            File.WriteAllBytes(path, input);
            string? problem = Check(target, path, ref accepted, ref refused, refusals);
            long peak = ProcessMemory.PeakResidentBytes();
            if (problem is null && peak > MaxPeakResidentBytes)
                problem = $"peak resident memory {peak / 1_000_000} MB";
            if (problem is null)
                continue;
            string kept = Path.Combine(findingsFolder, $"{target.Name}-{seed}-{i}{target.Extension}");
            Directory.CreateDirectory(findingsFolder);
            File.Copy(path, kept, overwrite: true);
            findings.Add($"{kept}: {problem}");
            ProcessMemory.ResetPeak();
        }
        Directory.Delete(folder, recursive: true);
        return new FuzzReport(target.Name, inputs, accepted, refused, ProcessMemory.PeakResidentBytes(), findings,
            refusals);
    }

    /// <summary>
    /// Reads one file: null when it was read or refused as the contract says, else what went wrong. Refusals are
    /// counted by kind (the message without the path and numbers) in <paramref name="refusals"/>, to see coverage.
    /// </summary>
    public static string? Check(FuzzTarget target, string path, ref int accepted, ref int refused,
        Dictionary<string, int>? refusals = null)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            target.Read(path);
            accepted++;
        }
        catch (InputException refusal) when (!refusal.Message.Contains('\n') && refusal.Message.StartsWith(path))
        {
            refused++;
            if (refusals is not null)
            {
                string kind = Digits().Replace(refusal.Message[path.Length..], "N");
                kind = kind.Length > 90 ? kind[..90] : kind;
                refusals[kind] = refusals.GetValueOrDefault(kind) + 1;
            }
        }
        catch (Exception error)
        {
            return $"{error.GetType().Name}: {InputText.Quote(error.Message, 300)} at " +
                InputText.Quote(error.StackTrace?.Trim().Split('\n').FirstOrDefault()?.Trim() ?? "", 200);
        }
        return clock.Elapsed > MaxInputTime ? $"took {clock.Elapsed.TotalSeconds:F0} s" : null;
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();
}
