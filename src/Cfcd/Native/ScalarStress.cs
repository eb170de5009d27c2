using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Native;

/// <summary>
/// Whether TorchSharp, as loaded in this process, keeps its native objects alive through native calls: adds 1 to a
/// tensor in place (<c>add_(1)</c>, which makes an implicit Scalar and hands it to libtorch) for a while with
/// collections forced on another thread. A TorchSharp without cfcd's keep-alive rewrite fails in well under a second
/// ("Unknown scalar type", a wrong sum, or a crash); the rewritten one does not.
/// </summary>
public static class ScalarStress
{
    public sealed record Result(long Calls, double Sum, long Collections)
    {
        public bool Right => Sum == Calls;
    }

    public static Result Run(TimeSpan duration)
    {
        using var stress = GcStress.Start();
        using var total = zeros(1, dtype: ScalarType.Float64);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed < duration)
        {
            total.add_(1);
            calls++;
        }
        return new Result(calls, total.ToDouble(), stress.Collections);
    }
}
