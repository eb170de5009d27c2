using Cfcd.Modeling;

namespace Cfcd.Tests;

/// <summary>The width-4 CFCD ResNet-50 of the model fixtures (24-d, 10 classes), loaded from its official-format checkpoint.</summary>
internal sealed class FixtureModel : IDisposable
{
    public static readonly string Checkpoint = TestPaths.Fixture("Modeling", "cfcd_r50w4.pyth");

    private FixtureModel(NetworkWeights weights, CfcdNet network) => (Weights, Network) = (weights, network);

    public NetworkWeights Weights { get; }

    public CfcdNet Network { get; }

    public static FixtureModel Load()
    {
        var weights = NetworkWeights.Load(Checkpoint);
        var network = new CfcdNet(weights.CompleteSpec(Checkpoint));
        weights.LoadInto(network, Checkpoint);
        return new FixtureModel(weights, network);
    }

    public void Dispose()
    {
        Network.Dispose();
        Weights.Dispose();
    }
}
