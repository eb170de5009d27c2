namespace Cfcd.Native;

/// <summary>
/// A diagnostic: a background thread that forces full garbage collections and runs pending finalizers in a loop,
/// so that a native object freed by its finalizer while libtorch still reads it shows up in seconds instead of once
/// in a long run. <c>CFCD_GC_STRESS=1</c> turns it on for any cfcd command. Results must not change under it.
/// </summary>
public sealed class GcStress : IDisposable
{
    public const string Variable = "CFCD_GC_STRESS";

    private readonly Thread thread;
    private volatile bool stopping;

    private GcStress()
    {
        thread = new Thread(Loop) { IsBackground = true, Name = "cfcd GC stress" };
        thread.Start();
    }

    /// <summary>Collections forced so far.</summary>
    public long Collections { get; private set; }

    public static GcStress Start() => new();

    /// <summary>Starts it when the environment asks for it (CFCD_GC_STRESS=1), else null.</summary>
    public static GcStress? FromEnvironment() => Environment.GetEnvironmentVariable(Variable) == "1" ? Start() : null;

    public void Dispose()
    {
        stopping = true;
        thread.Join();
    }

    private void Loop()
    {
        while (!stopping)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Collections++;
        }
    }
}
