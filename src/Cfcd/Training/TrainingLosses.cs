using Cfcd.Config;
using Cfcd.Losses;

namespace Cfcd.Training;

/// <summary>
/// The losses a config asks for: the classification head, DC-I-Net's HEP pool (loss.hep) and the extra terms (the
/// local triplet loss in stage 2, then loss.olp, then loss.centers, in that order). Why: the centre loss, HEP's hard
/// classes and the tuple sampler's negatives read one class-centre memory, made here once.
/// </summary>
internal sealed class TrainingLosses : IDisposable
{
    private readonly ClassCenterTerm? _centers;

    /// <param name="classes">Classes of the training list.</param>
    public TrainingLosses(CfcdConfig config, long classes)
    {
        var loss = config.Loss;
        Head = IClassificationLoss.Create(loss);
        _centers = loss.Centers.Enabled ? new ClassCenterTerm(loss.Centers, classes) : null;
        Pool = loss.Hep.Enabled
            ? new HardExamplePool(loss.Hep, classes, config.Train.Seed,
                loss.Hep.HardClasses == HardClassSource.Centers ? Centers : null)
            : null;
        Terms =
        [
            .. config.Train.Stage == 2 ? [LocalTripletTerm.FromConfig(config)] : Array.Empty<ILossTerm>(),
            .. loss.Olp.Enabled ? [new OnlinePairingTerm(loss.Olp)] : Array.Empty<ILossTerm>(),
            .. _centers is null ? Array.Empty<ILossTerm>() : [_centers],
        ];
    }

    public IClassificationLoss Head { get; }

    /// <summary>The HEP pool; null: the softmax runs over all classes.</summary>
    public HardExamplePool? Pool { get; }

    public IReadOnlyList<ILossTerm> Terms { get; }

    /// <summary>The class-centre memory; null without loss.centers.</summary>
    public ClassCenters? Centers => _centers?.Centers;

    public void Dispose()
    {
        foreach (var term in Terms.OfType<IDisposable>())
            term.Dispose();
    }
}
