using Cfcd.Config;
using Cfcd.Modeling;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>
/// The network a run builds before any weights load: libtorch seeded with train.seed, then the model section's
/// network. Why: the trainer and the demo's "random init" must draw the same weights.
/// </summary>
internal static class SeededNetwork
{
    public static CfcdNet Build(CfcdConfig config, int classes)
    {
        manual_seed(config.Train.Seed);
        return new CfcdNet(NetworkSpec.FromConfig(config.Model, classes), config.Model.ZeroInitLastBn);
    }
}
