using Cfcd.Training;

namespace Cfcd.Benchmarks;

/// <summary>A gradient reducer that adds up the time it takes. Why: the benchmark reports the all-reduce's share of a
/// step.</summary>
internal sealed class TimedGradients(IGradientReducer? inner) : IGradientReducer
{
    public double Seconds { get; private set; }

    public void Reduce(IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Parameter)> parameters)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        inner?.Reduce(parameters);
        Seconds += clock.Elapsed.TotalSeconds;
    }
}
