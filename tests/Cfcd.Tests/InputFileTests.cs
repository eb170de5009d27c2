using System.Diagnostics;
using System.Text;
using Cfcd.Data;
using Cfcd.IO;

namespace Cfcd.Tests;

public class InputFileTests
{
    private static string MakeFifo()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "pipe");
        using var mkfifo = Process.Start("mkfifo", path);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    [Fact]
    public async Task ANamedPipeIsRefusedWithoutBlocking()
    {
        string pipe = MakeFifo();
        var reading = Task.Run(() => Assert.Throws<InputException>(() => Npy.ReadMatrix(pipe)));
        var error = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal($"{pipe}: not a regular file (a pipe, socket or device); give cfcd a file", error.Message);
    }

    [Fact]
    public void ADirectoryIsNamedAsOne()
    {
        string folder = TestPaths.NewTempFolder();
        Assert.Equal($"{folder}: is a directory, not a file",
            Assert.Throws<InputException>(() => InputFile.OpenRead(folder)).Message);
    }

    [Fact]
    public void ListLinesAreStrictUtf8AndNamedByLine()
    {
        string list = Path.Combine(TestPaths.NewTempFolder(), "list.txt");
        File.WriteAllBytes(list, [.. "\uFEFFa.jpg\r\n"u8, .. "b.jpg\n"u8, .. "caf"u8, 0xe9, .. ".jpg\n"u8]);
        var lines = new List<string>();
        var error = Assert.Throws<InputException>(() => lines.AddRange(InputFile.ReadLines(list)));
        Assert.Equal(["a.jpg", "b.jpg"], lines);
        Assert.StartsWith($"{list}:3: not valid UTF-8", error.Message);
        Assert.StartsWith($"{list}:3: not valid UTF-8",
            Assert.Throws<InputException>(() => ImageList.Read(list)).Message);
    }

    [Fact]
    public void ReadLinesKeepsTheLastLineWithoutANewline()
    {
        string list = Path.Combine(TestPaths.NewTempFolder(), "list.txt");
        File.WriteAllText(list, "x\n\ny", new UTF8Encoding(false));
        Assert.Equal(["x", "", "y"], InputFile.ReadLines(list));
    }

    [Fact]
    public void AFolderWithANameThatIsNotUtf8SaysSo()
    {
        string folder = TestPaths.NewTempFolder();
        // Made by the shell: .NET itself cannot create a file whose name is not UTF-8.
        using (var touch = Process.Start("sh", ["-c", $"touch \"{folder}/caf$(printf '\\351').jpg\""]))
            touch.WaitForExit();
        var error = Assert.Throws<InputException>(() => ImageList.Read(folder));
        Assert.Contains("the file name is not valid UTF-8", error.Message);
    }

    [Fact]
    public void ADeviceThatNeverEndsIsRefused()
    {
        Assert.Equal("/dev/zero: not a regular file (a pipe, socket or device); give cfcd a file",
            Assert.Throws<InputException>(() => InputFile.ReadLines("/dev/zero").First()).Message);
    }

    [Fact]
    public void ALineTooLongToNameAFileIsRefused()
    {
        string list = Path.Combine(TestPaths.NewTempFolder(), "list.txt");
        File.WriteAllText(list, "a.jpg\n" + new string('x', 2 << 20));
        var error = Assert.Throws<InputException>(() => InputFile.ReadLines(list).ToList());
        Assert.StartsWith($"{list}:2: a line longer than 1048576 bytes", error.Message);
    }
}
