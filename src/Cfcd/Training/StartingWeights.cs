using Cfcd.Config;
using Cfcd.Modeling;
using Microsoft.Extensions.Logging;

namespace Cfcd.Training;

/// <summary>
/// A fresh run's starting weights: model.weights (ImageNet or any) for stage 1's backbone, train.init_from (the
/// stage-1 checkpoint, classifier included) for stage 2, or none (the seeded random weights). Why: the two stages
/// need different parts of the file and check it differently.
/// </summary>
internal static class StartingWeights
{
    public static void Load(CfcdConfig config, CfcdNet network, ILogger logger)
    {
        bool stageTwo = config.Train.Stage == 2;
        string? path = stageTwo ? config.Train.InitFrom : config.Model.Weights;
        if (path is null)
        {
            logger.LogInformation("starting from random weights (seed {Seed})", config.Train.Seed);
            return;
        }
        string key = stageTwo ? "train.init_from" : "model.weights";
        var convention = InputConvention.FromConfig(config.Model);
        using var weights = NetworkWeights.Load(path);
        if (!weights.Convention.Equals(convention))
            throw new InputException($"{path} ({key}): the weights expect {weights.Convention}, the config says " +
                                     $"{convention}; set model.channel_order, model.mean and model.std to match");
        if (stageTwo && weights.Classes != network.Spec.Classes)
            throw new InputException($"{path} ({key}): stage 2 needs the stage-1 classifier for " +
                                     $"{network.Spec.Classes} classes, the file has " +
                                     $"{(weights.Classes == 0 ? "none" : $"{weights.Classes} classes")}");
        weights.LoadInto(network, backboneOnly: !stageTwo);
        logger.LogInformation("initialised from {Path} ({Source} weights)", path, weights.Source);
    }
}
