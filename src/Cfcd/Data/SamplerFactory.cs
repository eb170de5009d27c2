using Cfcd.Config;

namespace Cfcd.Data;

/// <summary>The batch sampler a config asks for, over a training list (reading the stage-1 score file if
/// given).</summary>
internal static class SamplerFactory
{
    public static IBatchSampler Create(SamplerConfig sampler, ImageDataset dataset, int batchSize, long seed) =>
        sampler.Kind switch
    {
        SamplerKind.Random => new RandomSampler(dataset.Samples.Count, batchSize, seed),
        SamplerKind.ClassBalanced =>
            Checked(() => new ClassBalancedSampler(dataset.Labels, batchSize, sampler.ImagesPerClass, seed)),
        SamplerKind.HardNegative => Checked(() => new HardNegativeTupleSampler(dataset.Labels,
            sampler.Scores is null ? null : StageOneScores.LoadPredictions(sampler.Scores, dataset),
            sampler.TupleSize, batchSize / sampler.TupleSize, seed)),
        _ => throw new ArgumentOutOfRangeException(nameof(sampler)),
    };

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
