namespace Cfcd.Cli;

/// <summary>Progress of a long loop on stderr: a rewritten line in a terminal, a line per 10% otherwise.</summary>
internal sealed class ConsoleProgress(TextWriter error, string label, long total) : IProgress<long>
{
    private readonly bool _interactive = IsTerminal(error);

    /// <summary>Whether <paramref name="writer"/> is the process's stderr and that is a terminal (so a line can be
    /// redrawn).</summary>
    public static bool IsTerminal(TextWriter writer) => !Console.IsErrorRedirected && writer == Console.Error;
    private int _lastPercent = -1;

    public void Report(long done)
    {
        int percent = total > 0 ? (int)(100 * done / total) : 100;
        int step = _interactive ? 1 : 10;
        lock (this)
        {
            if (percent / step <= _lastPercent / step)
                return;
            _lastPercent = percent;
            string line = $"{label}: {percent,3}% ({done:N0} / {total:N0})";
            if (_interactive)
                error.Write("\r" + line + (percent >= 100 ? "\n" : ""));
            else
                error.WriteLine(line);
        }
    }
}
