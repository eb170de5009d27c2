namespace Cfcd.IO;

/// <summary>Writes a file so that it appears whole or not at all: a temporary file beside it, then a rename.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = File.Create(temporary))
                write(stream);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    public static void WriteAllBytes(string path, byte[] content) => Write(path, stream => stream.Write(content));

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
