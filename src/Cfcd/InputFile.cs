using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Cfcd;

/// <summary>
/// Opens files a user names as input. A named pipe given as a feature file or config would block the run for ever
/// in open(2) and /dev/zero never ends, so files are opened without blocking and anything but a regular file is
/// refused; lists are read as strict UTF-8, since .NET can open only files whose names are UTF-8.
/// </summary>
internal static partial class InputFile
{
    private const int ReadOnly = 0, NonBlocking = 0x800, CloseOnExec = 0x80000;
    private const int EmptyPath = 0x1000, TypeField = 1, TypeMask = 0xF000, Regular = 0x8000;

    /// <summary>No line of a list, CSV or score file comes near this; a file without newlines is not a list.</summary>
    private const int MaxLineBytes = 1 << 20;

    /// <summary>
    /// A read stream over a regular file; a missing, unreadable or non-regular file is an InputException.
    /// </summary>
    public static FileStream OpenRead(string path, int bufferSize = 1 << 16)
    {
        if (Directory.Exists(path))
            throw new InputException($"{path}: is a directory, not a file");
        if (!OperatingSystem.IsLinux())
            return OpenPortable(path, bufferSize);
        int descriptor = Open(path, ReadOnly | NonBlocking | CloseOnExec);
        if (descriptor < 0)
            throw new InputException(
                $"{path}: cannot open ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        if (!IsRegularFile(handle))
        {
            handle.Dispose();
            throw new InputException($"{path}: not a regular file (a pipe, socket or device); give cfcd a file");
        }
        return new FileStream(handle, FileAccess.Read, bufferSize);
    }

    /// <summary>The whole file, refusing files over <paramref name="maxBytes"/> before anything is allocated.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes = int.MaxValue)
    {
        using var stream = OpenRead(path);
        long limit = Math.Min(maxBytes, Array.MaxLength);
        if (stream.Length > limit)
            throw new InputException(
                $"{path}: {stream.Length} bytes is more than a file of this kind can be ({limit})");
        try
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot read ({error.Message})", error);
        }
    }

    /// <summary>The whole file as UTF-8 text, refusing files over <paramref name="maxBytes"/>.</summary>
    public static string ReadAllText(string path, long maxBytes)
    {
        using var reader = new StreamReader(new MemoryStream(ReadAllBytes(path, maxBytes)), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The lines of a text file (LF or CRLF), each strict UTF-8: a line that is not is an error naming it.
    /// </summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        using var stream = OpenRead(path);
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var line = new MemoryStream();
        int number = 0;
        for (int next = stream.ReadByte(); ; next = stream.ReadByte())
        {
            if (next >= 0 && next != '\n')
            {
                if (line.Length == MaxLineBytes)
                    throw new InputException($"{path}:{number + 1}: a line longer than {MaxLineBytes} bytes; " +
                        "not a list of file names");
                line.WriteByte((byte)next);
                continue;
            }
            if (next < 0 && line.Length == 0)
                yield break;
            number++;
            var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
            if (number == 1 && bytes.StartsWith("\uFEFF"u8))
                bytes = bytes[3..];
            if (bytes.EndsWith("\r"u8))
                bytes = bytes[..^1];
            yield return Decode(strict, bytes, path, number);
            line.SetLength(0);
            if (next < 0)
                yield break;
        }
    }

    private static string Decode(UTF8Encoding strict, ReadOnlySpan<byte> bytes, string path, int number)
    {
        try
        {
            return strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InputException(
                $"{path}:{number}: not valid UTF-8; cfcd opens only files whose names are UTF-8 (convert the list, " +
                "or rename the files with convmv)");
        }
    }

    private static FileStream OpenPortable(string path, int bufferSize)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot open ({error.Message})", error);
        }
    }

    /// <summary>
    /// Whether the open file is a regular one, from statx(2), whose layout is the same on every architecture
    /// (stx_mode is the 16 bits at byte 28). Devices such as /dev/zero can seek, so seeking proves nothing.
    /// </summary>
    private static unsafe bool IsRegularFile(SafeFileHandle handle)
    {
        byte* buffer = stackalloc byte[256];
        int status = Statx((int)handle.DangerousGetHandle(), "", EmptyPath, TypeField, buffer);
        // Where statx is not allowed (an old kernel or a seccomp filter), the file is taken as regular: the
        // non-blocking open already keeps a pipe from hanging the run.
        return status != 0 || (*(ushort*)(buffer + 28) & TypeMask) == Regular;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
