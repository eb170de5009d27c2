using System.Globalization;
using Xunit.Abstractions;

namespace Cfcd.Tests.Fuzzing;

/// <summary>
/// Every reader of user files against mutated inputs: a bounded run in CI (CFCD_FUZZ_INPUTS, default 2,000 per
/// reader, seed CFCD_FUZZ_SEED), and every reproducer kept under Fixtures/Fuzz/&lt;reader&gt;/ replayed.
/// A longer run: <c>CFCD_FUZZ_INPUTS=100000 dotnet test --filter FullyQualifiedName~Fuzzing</c>.
/// </summary>
[Collection(PeakMemoryCollection.Name)]
public class FuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string> Targets() => new(FuzzTarget.All.Select(target => target.Name));

    [Theory]
    [MemberData(nameof(Targets))]
    public void MutatedInputsAreReadOrRefusedInOneLine(string name)
    {
        var target = FuzzTarget.All.Single(candidate => candidate.Name == name);
        int inputs = Setting("CFCD_FUZZ_INPUTS", 2000);
        int seed = Setting("CFCD_FUZZ_SEED", 14);
        string findings = Environment.GetEnvironmentVariable("CFCD_FUZZ_FINDINGS") ?? TestPaths.NewTempFolder();
        var report = FuzzRunner.Run(target, inputs, seed, findings);
        output.WriteLine($"{report.Target}: {report.Inputs} inputs, seed {seed}: {report.Accepted} read, " +
            $"{report.Refused} refused, peak resident {report.PeakResidentBytes / 1_000_000} MB");
        foreach (var (kind, count) in report.Refusals.OrderByDescending(pair => pair.Value).Take(8))
            output.WriteLine($"  {count,6}  {kind}");
        Assert.True(report.Findings.Count == 0, string.Join("\n", report.Findings));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void KeptReproducersAreReadOrRefusedInOneLine(string name)
    {
        var target = FuzzTarget.All.Single(candidate => candidate.Name == name);
        string folder = TestPaths.Fixture("Fuzz", name);
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder).Order().ToList() : [];
        int accepted = 0, refused = 0;
        var problems = files.Select(file => (file, problem: FuzzRunner.Check(target, file, ref accepted, ref refused)))
            .Where(result => result.problem is not null).Select(result => $"{result.file}: {result.problem}").ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(files.Count, accepted + refused);
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture,
            out int value)
            ? value
            : fallback;
}
