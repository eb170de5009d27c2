using Cfcd.Native;
using Cfcd.Tests.Cli;

namespace Cfcd.Tests.Native;

public class CpuKernelSelectionTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    /// <summary>A check that answers from a table and counts its calls, in place of the child process.</summary>
    private sealed class InjectedCheck(params (CpuKernels Kernels, KernelCheckOutcome Outcome)[] outcomes)
    {
        public List<CpuKernels> Asked { get; } = [];

        public KernelCheckObservation Check(CpuKernels kernels)
        {
            Asked.Add(kernels);
            var outcome = outcomes.Single(o => o.Kernels == kernels).Outcome;
            return new KernelCheckObservation(
                kernels, outcome, outcome == KernelCheckOutcome.Crashed ? "exit 136 (signal SIGFPE)" : "worst 0.4");
        }
    }

    [Fact]
    public void KernelsThatPassStayAndNothingElseIsChecked()
    {
        var check = new InjectedCheck((CpuKernels.OneDnn, KernelCheckOutcome.Passed));
        var choice = CpuKernelSelection.Decide(check.Check);
        Assert.Equal(CpuKernels.OneDnn, choice.Kernels);
        Assert.Equal([CpuKernels.OneDnn], check.Asked);
        Assert.StartsWith("onednn passed the kernel check", choice.Reason);
    }

    [Fact]
    public void ACrashFallsBackToOneDnnAtAvx()
    {
        var check = new InjectedCheck(
            (CpuKernels.OneDnn, KernelCheckOutcome.Crashed), (CpuKernels.OneDnnAvx, KernelCheckOutcome.Passed));
        var choice = CpuKernelSelection.Decide(check.Check);
        Assert.Equal(CpuKernels.OneDnnAvx, choice.Kernels);
        Assert.Equal([CpuKernels.OneDnn, CpuKernels.OneDnnAvx], check.Asked);
        Assert.Contains("onednn crashed: exit 136 (signal SIGFPE)", choice.Reason);
        Assert.Contains("onednn-avx passed", choice.Reason);
    }

    [Fact]
    public void WrongValuesAreTreatedLikeACrashAndTheNextCandidateIsTried()
    {
        var check = new InjectedCheck(
            (CpuKernels.OneDnn, KernelCheckOutcome.Differs),
            (CpuKernels.OneDnnAvx, KernelCheckOutcome.Crashed),
            (CpuKernels.Aten, KernelCheckOutcome.Passed));
        var choice = CpuKernelSelection.Decide(check.Check);
        Assert.Equal(CpuKernels.Aten, choice.Kernels);
        Assert.Contains("onednn differs: worst 0.4", choice.Reason);
        Assert.Equal(3, choice.Observations.Count);
    }

    [Fact]
    public void WhenNothingPassesTheDefaultStaysAndTheReasonSaysSo()
    {
        var check = new InjectedCheck(
            (CpuKernels.OneDnn, KernelCheckOutcome.Differs),
            (CpuKernels.OneDnnAvx, KernelCheckOutcome.Differs),
            (CpuKernels.Aten, KernelCheckOutcome.Crashed));
        var choice = CpuKernelSelection.Decide(check.Check);
        Assert.Equal(CpuKernels.OneDnn, choice.Kernels);
        Assert.EndsWith("no candidate passed, keeping oneDNN", choice.Reason);
    }

    [Fact]
    public void TheVerdictIsCachedPerHostAndACorruptCacheIsCheckedAgain()
    {
        string folder = TestPaths.NewTempFolder();
        var check = new InjectedCheck(
            (CpuKernels.OneDnn, KernelCheckOutcome.Crashed), (CpuKernels.OneDnnAvx, KernelCheckOutcome.Passed));
        var first = CpuKernelSelection.Choose(NoEnvironment, check.Check, folder);
        Assert.True(first.Fresh);
        Assert.Equal("check", first.Source);

        var second = CpuKernelSelection.Choose(NoEnvironment, check.Check, folder);
        Assert.Equal(2, check.Asked.Count);   // not asked again
        Assert.False(second.Fresh);
        Assert.Equal(CpuKernels.OneDnnAvx, second.Kernels);
        Assert.Equal(first.Reason, second.Reason);
        Assert.Equal(first.Observations, second.Observations);
        Assert.StartsWith($"cache {CpuKernelSelection.CacheFile(folder)}", second.Source);
        Assert.Contains("\"OneDnnAvx\"", File.ReadAllText(CpuKernelSelection.CacheFile(folder)));

        File.WriteAllText(CpuKernelSelection.CacheFile(folder), "{\"Kernels\": \"Avx9000\"");
        var third = CpuKernelSelection.Choose(NoEnvironment, check.Check, folder);
        Assert.True(third.Fresh);
        Assert.Equal(4, check.Asked.Count);
    }

    [Theory]
    [InlineData("aten", CpuKernels.Aten)]
    [InlineData(" OneDNN-AVX ", CpuKernels.OneDnnAvx)]
    [InlineData("onednn", CpuKernels.OneDnn)]
    public void TheUserChoosesWithCfcdCpuKernelsAndNothingIsChecked(string value, CpuKernels expected)
    {
        var check = new InjectedCheck();
        var choice = CpuKernelSelection.Choose(
            name => name == CpuKernelSelection.Variable ? value : null, check.Check, TestPaths.NewTempFolder());
        Assert.Equal(expected, choice.Kernels);
        Assert.Equal(CpuKernelSelection.Variable, choice.Source);
        Assert.Empty(check.Asked);
    }

    [Fact]
    public void AutoMeansTheCheck()
    {
        var check = new InjectedCheck((CpuKernels.OneDnn, KernelCheckOutcome.Passed));
        var choice = CpuKernelSelection.Choose(
            name => name == CpuKernelSelection.Variable ? "auto" : null, check.Check, TestPaths.NewTempFolder());
        Assert.Equal("check", choice.Source);
        Assert.Single(check.Asked);
    }

    [Fact]
    public void AnUnknownChoiceIsAOneLineError()
    {
        var error = Assert.Throws<InputException>(() =>
            CpuKernelSelection.Choose(
                name => name == CpuKernelSelection.Variable ? "mkl" : null,
                new InjectedCheck().Check,
                TestPaths.NewTempFolder()));
        Assert.Equal("CFCD_CPU_KERNELS=mkl: expected auto, onednn, onednn-avx, aten", error.Message);
    }

    [Fact]
    public void AnUnknownChoiceStopsTheCommandLineWithExitCode2()
    {
        var result = CfcdProcess.Run(AppContext.BaseDirectory,
            new Dictionary<string, string?> { [CpuKernelSelection.Variable] = "mkl" }, TimeSpan.FromMinutes(1), "info");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("cfcd: CFCD_CPU_KERNELS=mkl: expected auto, onednn, onednn-avx, aten", result.Error.Trim());
        Assert.Empty(result.Out);
    }

    [Fact]
    public void WithoutACfcdToCheckWithTheDefaultStaysUncheckedAndUncached()
    {
        string folder = TestPaths.NewTempFolder();
        var choice = CpuKernelSelection.Choose(
            NoEnvironment, _ => throw new InvalidOperationException("no cfcd in /x"), folder);
        Assert.Equal(CpuKernels.OneDnn, choice.Kernels);
        Assert.Equal("unchecked", choice.Source);
        Assert.Equal("the kernel check could not run: no cfcd in /x", choice.Reason);
        Assert.False(File.Exists(CpuKernelSelection.CacheFile(folder)));
    }

    [Fact]
    public void AUsersOwnOneDnnCapIsRespectedUnchecked()
    {
        var check = new InjectedCheck();
        var choice = CpuKernelSelection.Choose(
            name => name == "ONEDNN_MAX_CPU_ISA" ? "AVX2" : null, check.Check, TestPaths.NewTempFolder());
        Assert.Equal(CpuKernels.OneDnn, choice.Kernels);
        Assert.Contains("ONEDNN_MAX_CPU_ISA=AVX2", choice.Reason);
        Assert.Empty(check.Asked);
    }

    [Fact]
    public void TheKernelsInUseHerePassTheCheckInAChildProcess()
    {
        var current = CpuKernelSelection.Configure();
        var observation = KernelCheckProcess.Run(current.Kernels);
        Assert.True(
            observation.Outcome == KernelCheckOutcome.Passed,
            $"{current.Kernels.Name()} ({current.Reason}): {observation.Detail}");
    }

    [Fact]
    public void TheProcessorSignatureIsTheSameOnEveryCall()
    {
        var signatures = Enumerable.Range(0, 8).AsParallel().Select(_ => CpuIdentity.Signature()).Distinct().ToList();
        Assert.Single(signatures);
    }
}
