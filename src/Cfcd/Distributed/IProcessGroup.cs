namespace Cfcd.Distributed;

/// <summary>
/// The processes of one data-parallel run and the collective operations training needs from them. Why: training
/// code sums, gathers and broadcasts through this, and a single process, MPI on CPUs and NCCL on GPUs plug in
/// behind it. Every process calls the same operations in the same order; one that does not arrive within the
/// group's timeout makes the others fail with <see cref="RankLostException"/> naming it.
/// </summary>
public interface IProcessGroup : IDisposable
{
    int Rank { get; }

    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> by their element-wise sum over all processes.</summary>
    void SumInPlace(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> by their element-wise sum over all processes.</summary>
    void SumInPlace(Span<double> values);

    /// <summary>Every process's <paramref name="local"/> values, concatenated in rank order (lengths may differ),
    /// and where this process's begin.</summary>
    (double[] All, int First) Gather(ReadOnlySpan<double> local);

    /// <summary>Copies <paramref name="values"/> of rank <paramref name="root"/> into every process's.</summary>
    void Broadcast(Span<byte> values, int root);

    /// <summary>This process leaves the run on an error of its own: no orderly shutdown, which would wait for the
    /// others; the launcher ends them when this process exits.</summary>
    void Abandon();
}

/// <summary>A rank did not take part in a collective operation in time (it died, hangs or stopped).</summary>
public sealed class RankLostException(string message) : Exception(message);

/// <summary>The group of a process that runs alone: every operation leaves the values as they are.</summary>
public sealed class SingleProcessGroup : IProcessGroup
{
    public static SingleProcessGroup Instance { get; } = new();

    private SingleProcessGroup()
    {
    }

    public int Rank => 0;

    public int Size => 1;

    public void SumInPlace(Span<float> values)
    {
    }

    public void SumInPlace(Span<double> values)
    {
    }

    public (double[] All, int First) Gather(ReadOnlySpan<double> local) => (local.ToArray(), 0);

    public void Broadcast(Span<byte> values, int root)
    {
    }

    public void Abandon()
    {
    }

    public void Dispose()
    {
    }
}
