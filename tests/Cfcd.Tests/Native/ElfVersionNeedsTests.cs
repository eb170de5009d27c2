using System.Runtime.InteropServices;
using Cfcd.Build;

namespace Cfcd.Tests.Native;

/// <summary>The build-time fix of build/ElfVersionNeeds.cs, on a pristine copy of TorchSharp's native glue.</summary>
public class ElfVersionNeedsTests
{
    private const string LibStdCxx = "libstdc++.so.6";
    private static readonly string[] Weakenable = ["GLIBCXX_3.4.32"];

    private static byte[] PristineLibrary()
    {
        string path = Path.Combine(TestPaths.NuGetPackageRoot, "torchsharp", "0.107.0", "runtimes", "linux-x64",
            "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"{path} not found: restore the solution first");
        return File.ReadAllBytes(path);
    }

    private static HashSet<string> Debian12LibStdCxxVersions(byte[] library) =>
        ElfVersionNeeds.ReadNeeds(library).Where(need => need.Library == LibStdCxx && need.Version != "GLIBCXX_3.4.32")
            .Select(need => need.Version).ToHashSet();

    [Fact]
    public void ShippedLibraryNeedsGlibcxx3432Strongly()
    {
        var needs = ElfVersionNeeds.ReadNeeds(PristineLibrary());
        var need = Assert.Single(needs, n => n.Library == LibStdCxx && n.Version == "GLIBCXX_3.4.32");
        Assert.False(need.IsWeak);
        Assert.Contains(needs, n => n.Library == "libc.so.6" && n.Version == "GLIBC_2.2.5");
    }

    [Fact]
    public void WeakensOnlyTheMissingVersionAndIsIdempotent()
    {
        byte[] library = PristineLibrary();
        byte[] original = (byte[])library.Clone();
        var available = Debian12LibStdCxxVersions(library);

        Assert.Equal(["GLIBCXX_3.4.32"], ElfVersionNeeds.Weaken(library, LibStdCxx, Weakenable, available));
        Assert.Empty(ElfVersionNeeds.UnmetStrongNeeds(library, LibStdCxx, available));
        var after = ElfVersionNeeds.ReadNeeds(library);
        Assert.Single(after, n => n.IsWeak);
        Assert.True(after.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.Equal(1, library.Zip(original).Count(pair => pair.First != pair.Second));

        Assert.Empty(ElfVersionNeeds.Weaken(library, LibStdCxx, Weakenable, available));
    }

    [Fact]
    public void LeavesTheLibraryAloneWhenLibStdCxxHasTheVersion()
    {
        byte[] library = PristineLibrary();
        var available = Debian12LibStdCxxVersions(library);
        available.Add("GLIBCXX_3.4.32");
        Assert.Empty(ElfVersionNeeds.Weaken(library, LibStdCxx, Weakenable, available));
        Assert.Equal(PristineLibrary(), library);
    }

    [Fact]
    public void NeverWeakensAVersionOutsideTheAllowedList()
    {
        byte[] library = PristineLibrary();
        var available = Debian12LibStdCxxVersions(library);
        available.Remove("GLIBCXX_3.4.30");
        Assert.Equal(["GLIBCXX_3.4.32"], ElfVersionNeeds.Weaken(library, LibStdCxx, Weakenable, available));
        Assert.Equal(["GLIBCXX_3.4.30"], ElfVersionNeeds.UnmetStrongNeeds(library, LibStdCxx, available));
    }

    [Fact]
    public void ReadsTheVersionsTheMachinesLibStdCxxDefines()
    {
        string path = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"; // Debian x86-64, the machines this project runs on
        var defined = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(path));
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
    }

    [Fact]
    public void ReplaceFileDoesNotWriteThroughAHardLink()
    {
        string folder = TestPaths.NewTempFolder();
        string cached = Path.Combine(folder, "cached.so");
        string output = Path.Combine(folder, "output.so");
        File.WriteAllBytes(cached, [1, 2, 3]);
        Assert.Equal(0, link(cached, output));
        ElfVersionNeeds.ReplaceFile(output, [4, 5, 6]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(cached));
        Assert.Equal([4, 5, 6], File.ReadAllBytes(output));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string existing, string created);

    [Fact]
    public void RejectsFilesThatAreNotElf64()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(new byte[64]));
    }
}
