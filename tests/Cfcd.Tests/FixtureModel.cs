using Cfcd.Modeling;

namespace Cfcd.Tests;

/// <summary>The width-4 CFCD ResNet-50 of the model fixtures (24-d, 10 classes), loaded from its official-format
/// checkpoint.</summary>
internal static class FixtureModel
{
    public static readonly string Checkpoint = TestPaths.Fixture("Modeling", "cfcd_r50w4.pyth");

    public static LoadedNetwork Load() => LoadedNetwork.Load(Checkpoint);
}
