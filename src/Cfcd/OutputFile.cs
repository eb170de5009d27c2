namespace Cfcd;

/// <summary>
/// Checks where a verb will write before it starts: an output that is a directory, an unwritable folder or a name
/// the file system refuses would otherwise fail only at the end, after the work, with a stack trace.
/// </summary>
public static class OutputFile
{
    /// <summary>
    /// <paramref name="path"/> can be written as a file: it is not a directory, its folder exists (it is created)
    /// and a file can be created beside it under a name as long as the temporary files cfcd writes.
    /// </summary>
    public static void RequireWritable(string path)
    {
        if (Directory.Exists(path))
            throw new InputException($"{path}: is a directory; give a file name");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        RequireWritableFolder(folder);
        Probe(path + ".tmp", path);
    }

    /// <summary><paramref name="folder"/> exists (it is created) and files can be created in it.</summary>
    public static void RequireWritableFolder(string folder)
    {
        if (File.Exists(folder))
            throw new InputException($"{folder}: is a file; give a folder");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{folder}: cannot create the folder ({error.Message})", error);
        }
        Probe(Path.Combine(folder, $".cfcd-write-check-{Environment.ProcessId}"), folder);
    }

    private static void Probe(string probe, string named)
    {
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{InputText.Quote(named, 160)}: cannot write here ({error.Message})", error);
        }
    }
}
