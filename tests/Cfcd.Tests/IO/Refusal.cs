using System.Diagnostics;

namespace Cfcd.Tests.IO;

/// <summary>
/// How a hostile file must be refused: an <see cref="InputException"/> of one line naming it, quickly.
/// </summary>
internal static class Refusal
{
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(2);
    private const long FewBytes = 64L << 20;

    /// <summary>
    /// Runs <paramref name="read"/> and asserts the refusal; the time and the managed bytes allocated on the way show
    /// that nothing the file declares was allocated before it was checked.
    /// </summary>
    public static InputException Of(string path, Action read, string problem)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<InputException>(read);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.StartsWith(path + ":", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
        Assert.True(clock.Elapsed < Quickly, $"refused after {clock.Elapsed}");
        Assert.True(allocated < FewBytes, $"{allocated} bytes allocated before the refusal");
        return error;
    }
}
