using System.Reflection;

namespace Cfcd.Tests;

/// <summary>Where the repository, its configs and its test data are, as recorded at build time.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string NuGetPackageRoot { get; } = Metadata("NuGetPackageRoot");

    public static string Configs => Path.Combine(RepositoryRoot, "configs");

    /// <summary>The official revisitop ground-truth files (Fixtures/Revisitop/PROVENANCE.md).</summary>
    public static string RevisitopRoot => Fixture("Revisitop");

    public static string RevisitopGroundTruth(string dataset) => Path.Combine(RevisitopRoot, $"gnd_{dataset}.pkl");

    public static string Fixture(params string[] parts) =>
        Path.Combine([RepositoryRoot, "tests", "Cfcd.Tests", "Fixtures", .. parts]);

    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string NewTempFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "cfcd-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} is missing");
}
