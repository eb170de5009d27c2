using Cfcd.Distributed;

namespace Cfcd.Training;

/// <summary>
/// When the processes of a run stop: a stop asked of any of them (Ctrl+C, SIGTERM) is agreed on after a step, so
/// that all stop after the same step and none waits for the others in the next one. Why: each process gets the
/// signal at its own point of the step. Alone, the caller's token is used as it is.
/// </summary>
internal sealed class StopAgreement(IProcessGroup group, CancellationToken requested) : IDisposable
{
    private readonly CancellationTokenSource _agreed = new();

    /// <summary>The token the loop reads: the request itself alone, the agreed stop in a group.</summary>
    public CancellationToken Token => group.Size == 1 ? requested : _agreed.Token;

    /// <summary>Called by every process after each step; cancels <see cref="Token"/> once any has been asked to
    /// stop.</summary>
    public void AfterStep()
    {
        if (group.Size == 1)
            return;
        Span<double> asked = [requested.IsCancellationRequested ? 1 : 0];
        group.SumInPlace(asked);
        if (asked[0] > 0)
            _agreed.Cancel();
    }

    public void Dispose() => _agreed.Dispose();
}
