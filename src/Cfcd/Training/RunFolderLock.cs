using System.Runtime.InteropServices;
using System.Text;

namespace Cfcd.Training;

/// <summary>
/// An OS lock (flock) on a run folder's <c>.lock</c> file for as long as a run trains into it; the file names the
/// holder. Why: two runs writing one folder corrupt each other's metrics and checkpoints, and a lock that a killed
/// process gives up by itself never needs cleaning. Raw file descriptors, because .NET's own file locking would
/// keep the second run from reading who holds it.
/// </summary>
internal sealed class RunFolderLock : IDisposable
{
    public const string FileName = ".lock";
    private const int ReadWrite = 2, Create = 0x40, CloseOnExec = 0x80000;
    private const int Exclusive = 2, NonBlocking = 4, WouldBlock = 11;

    private int _descriptor;

    private RunFolderLock(int descriptor) => _descriptor = descriptor;

    /// <summary>Takes the lock of <paramref name="runRoot"/> (made if missing); a held one is an error naming the
    /// holder.</summary>
    public static RunFolderLock Acquire(string runRoot)
    {
        Directory.CreateDirectory(runRoot);
        string path = Path.Combine(runRoot, FileName);
        int descriptor = Open(path, ReadWrite | Create | CloseOnExec, Convert.ToInt32("644", 8));
        if (descriptor < 0)
            throw new InputException($"{path}: cannot open the run folder's lock file (errno " +
                                     $"{Marshal.GetLastPInvokeError()})");
        if (Flock(descriptor, Exclusive | NonBlocking) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            string holder = ReadHolder(descriptor);
            Close(descriptor);
            throw new InputException(error == WouldBlock
                ? $"{runRoot}: in use by another cfcd train ({holder}); wait for it or use another --out"
                : $"{path}: cannot lock the run folder (errno {error}; does this file system support flock?)");
        }
        byte[] line = Encoding.UTF8.GetBytes(
            $"pid {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}: " +
            $"{Shorten(Environment.CommandLine)}\n");
        Ftruncate(descriptor, 0);
        Pwrite(descriptor, line, line.Length, 0);
        return new RunFolderLock(descriptor);
    }

    public void Dispose()
    {
        if (_descriptor >= 0)
            Close(_descriptor);
        _descriptor = -1;
    }

    private static string ReadHolder(int descriptor)
    {
        var buffer = new byte[512];
        long read = Pread(descriptor, buffer, buffer.Length, 0);
        string text = read > 0 ? Encoding.UTF8.GetString(buffer, 0, (int)read).Trim() : "";
        return text.Length > 0 ? InputText.Quote(text, 200) : "holder unknown";
    }

    private static string Shorten(string command) => command.Length <= 160 ? command : command[..157] + "...";

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int Flock(int descriptor, int operation);

    [DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static extern int Ftruncate(int descriptor, long length);

    [DllImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static extern long Pwrite(int descriptor, byte[] buffer, long count, long offset);

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static extern long Pread(int descriptor, byte[] buffer, long count, long offset);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
