namespace Cfcd.Data;

/// <summary>
/// The images a command works through: a folder (its image files, sorted by name) or a text file with one path
/// per line, relative to the file's folder. A trailing integer column (the CFCD list's label) is ignored.
/// </summary>
public static class ImageList
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif",
    };

    public static IReadOnlyList<string> Read(string listOrFolder)
    {
        if (Directory.Exists(listOrFolder))
            return Directory.EnumerateFiles(listOrFolder)
                .Where(file => Extensions.Contains(Path.GetExtension(file)))
                .Select(RequireUtf8Name)
                .OrderBy(file => Path.GetFileName(file), StringComparer.Ordinal)
                .ToList();
        if (!File.Exists(listOrFolder))
            throw new InputException($"{listOrFolder}: no such list file or folder");
        string folder = Path.GetDirectoryName(Path.GetFullPath(listOrFolder))!;
        var paths = new List<string>();
        foreach (var rawLine in InputFile.ReadLines(listOrFolder))
        {
            string line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            paths.Add(Path.Combine(folder, WithoutLabel(line, folder)));
        }
        if (paths.Count == 0)
            throw new InputException($"{listOrFolder}: the list names no images");
        return paths;
    }

    private static string WithoutLabel(string line, string folder)
    {
        int space = line.LastIndexOfAny([' ', '\t']);
        if (space < 0 || File.Exists(Path.Combine(folder, line)))
            return line;
        return long.TryParse(line.AsSpan(space + 1), out _) ? line[..space].TrimEnd() : line;
    }

    /// <summary>.NET reads a name that is not UTF-8 with U+FFFD in it, and cannot open the file by that name.</summary>
    private static string RequireUtf8Name(string file) => file.Contains('\uFFFD')
        ? throw new InputException($"{file}: the file name is not valid UTF-8; cfcd opens only files whose names are " +
            "UTF-8 (rename it, e.g. with convmv)")
        : file;
}
