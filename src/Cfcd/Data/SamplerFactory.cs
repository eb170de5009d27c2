using Cfcd.Config;
using Cfcd.Losses;

namespace Cfcd.Data;

/// <summary>The batch sampler a config asks for, over a training list (reading the stage-1 score file if
/// given).</summary>
internal static class SamplerFactory
{
    /// <param name="centers">The class centres (loss.centers), for sampler.hard_negatives: centers.</param>
    public static IBatchSampler Create(SamplerConfig sampler, ImageDataset dataset, int batchSize, long seed,
        ClassCenters? centers = null) => sampler.Kind switch
    {
        SamplerKind.Random => new RandomSampler(dataset.Samples.Count, batchSize, seed),
        SamplerKind.ClassBalanced =>
            Checked(() => new ClassBalancedSampler(dataset.Labels, batchSize, sampler.ImagesPerClass, seed)),
        SamplerKind.HardNegative => Checked(() => new HardNegativeTupleSampler(dataset.Labels,
            sampler.Scores is null ? null : StageOneScores.LoadPredictions(sampler.Scores, dataset),
            sampler.TupleSize, batchSize / sampler.TupleSize, seed, NearestClasses(sampler, centers))),
        _ => throw new ArgumentOutOfRangeException(nameof(sampler)),
    };

    private static Func<int, int[][]>? NearestClasses(SamplerConfig sampler, ClassCenters? centers) =>
        sampler.HardNegatives == NegativeClasses.Centers
            ? epoch => (centers ?? throw new InvalidOperationException("hard_negatives: centers without centres"))
                .NearestClasses(epoch, sampler.NearestClasses)
            : null;

    private static IBatchSampler Checked(Func<IBatchSampler> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException problem)
        {
            throw new InputException($"sampler: {problem.Message}", problem);
        }
    }
}
