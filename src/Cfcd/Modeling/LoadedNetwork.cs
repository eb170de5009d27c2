namespace Cfcd.Modeling;

/// <summary>
/// A network filled from one weights file, with the input convention its images need: extraction and scoring load
/// their network with this one call instead of reading the weights, building the network and copying them in.
/// </summary>
public sealed class LoadedNetwork : IDisposable
{
    private readonly string _description;

    private LoadedNetwork(CfcdNet network, NetworkWeights weights)
    {
        Network = network;
        Path = weights.Path;
        Convention = weights.Convention;
        Source = weights.Source;
        _description = weights.Describe();
    }

    public CfcdNet Network { get; }

    /// <summary>The weights file, which messages about the network name.</summary>
    public string Path { get; }

    public InputConvention Convention { get; }

    public WeightsSource Source { get; }

    /// <summary>Reads <paramref name="path"/> and builds the whole network it describes (head included).</summary>
    public static LoadedNetwork Load(string path)
    {
        using var weights = NetworkWeights.Load(path);
        var network = new CfcdNet(weights.CompleteSpec());
        try
        {
            weights.LoadInto(network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return new LoadedNetwork(network, weights);
    }

    /// <summary>One line of what the weights file held (see <see cref="NetworkWeights.Describe"/>).</summary>
    public string Describe() => _description;

    public void Dispose() => Network.Dispose();
}
