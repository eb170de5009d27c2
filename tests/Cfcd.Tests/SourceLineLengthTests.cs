namespace Cfcd.Tests;

/// <summary>The code is wrapped to the 120 columns that .editorconfig sets (max_line_length).</summary>
public class SourceLineLengthTests
{
    private const int MaxLineLength = 120;
    private static readonly string[] Folders = ["src", "tests", "scripts", "build", "native", ".ci"];

    [Fact]
    public void NoSourceLineIsLongerThan120Characters()
    {
        var tooLong = Folders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, folder), "*",
                SearchOption.AllDirectories))
            .Where(IsSource)
            .SelectMany(path => File.ReadLines(path).Select((line, index) => (path, line, index)))
            .Where(entry => entry.line.Length > MaxLineLength)
            .Select(entry => $"{Path.GetRelativePath(TestPaths.RepositoryRoot, entry.path)}:{entry.index + 1} " +
                             $"({entry.line.Length})")
            .ToList();
        Assert.Empty(tooLong);
    }

    private static bool IsSource(string path)
    {
        string[] parts = Path.GetRelativePath(TestPaths.RepositoryRoot, path).Split(Path.DirectorySeparatorChar);
        bool generated = parts.Any(part => part is "bin" or "obj" or "Fixtures" or "__pycache__");
        string extension = Path.GetExtension(path);
        bool script = extension == "" && parts[0] == ".ci";
        return !generated && (script || extension is ".cs" or ".py" or ".sh" or ".c");
    }
}
