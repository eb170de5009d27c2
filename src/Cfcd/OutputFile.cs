namespace Cfcd;

/// <summary>
/// Checks where a verb will write before it starts: an output that is a directory, an unwritable folder or a name
/// the file system refuses would otherwise fail only at the end, after the work, with a stack trace.
/// </summary>
public static class OutputFile
{
    /// <summary>
    /// <paramref name="path"/> can be written as a file: it is not a directory, its folder exists (it is created)
    /// and a new file can be created beside it under a name as long as the ones cfcd writes there.
    /// </summary>
    public static void RequireWritable(string path)
    {
        if (Directory.Exists(path))
            throw new InputException($"{path}: is a directory; give a file name");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        RequireWritableFolder(folder);
        // A sibling as long as the longest cfcd writes beside an output (".parts"), under a name no one uses.
        Probe(path + "." + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..5].ToLowerInvariant(), path);
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
        Probe(Path.Combine(folder, $".cfcd-write-check-{Guid.NewGuid():N}"), folder);
    }

    private static void Probe(string probe, string named)
    {
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.DeleteOnClose,
            };
            using (new FileStream(probe, options))
            {
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{InputText.Quote(named, 160)}: cannot write here ({error.Message})", error);
        }
    }
}
