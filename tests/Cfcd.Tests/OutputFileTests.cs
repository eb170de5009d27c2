namespace Cfcd.Tests;

public class OutputFileTests
{
    [Fact]
    public void ADirectoryIsNotAnOutputFile()
    {
        string folder = TestPaths.NewTempFolder();
        Assert.Equal($"{folder}: is a directory; give a file name",
            Assert.Throws<InputException>(() => OutputFile.RequireWritable(folder)).Message);
    }

    [Fact]
    public void ANameTheFileSystemRefusesIsReportedBeforeAnyWork()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), new string('n', 300) + ".npy");
        var error = Assert.Throws<InputException>(() => OutputFile.RequireWritable(path));
        Assert.Contains("cannot write here", error.Message);
        Assert.Contains("characters)", error.Message);
    }

    [Fact]
    public void AFileIsNotAnOutputFolder()
    {
        string file = Path.Combine(TestPaths.NewTempFolder(), "f");
        File.WriteAllText(file, "");
        Assert.Equal($"{file}: is a file; give a folder",
            Assert.Throws<InputException>(() => OutputFile.RequireWritableFolder(file)).Message);
    }

    [Fact]
    public void AWritableFolderIsCreatedAndLeftClean()
    {
        string folder = Path.Combine(TestPaths.NewTempFolder(), "a", "b");
        OutputFile.RequireWritable(Path.Combine(folder, "out.npy"));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }
}
