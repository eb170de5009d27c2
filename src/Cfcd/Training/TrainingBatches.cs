using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Losses;
using Cfcd.Modeling;
using Microsoft.Extensions.Logging;

namespace Cfcd.Training;

/// <summary>
/// The sampler's plan of an epoch read into augmented batches, from any step of it. Why: a run resumed mid-epoch
/// must read the batches the stopped run would have read.
/// </summary>
internal sealed class TrainingBatches
{
    private readonly IBatchSampler _sampler;
    private readonly BatchLoader _loader;
    private readonly BatchShare _share;

    /// <param name="rank">This process in a data-parallel run of <paramref name="size"/> (0 of 1 alone).</param>
    /// <param name="centers">The class centres, for the sampler's nearest-centre negatives.</param>
    public TrainingBatches(CfcdConfig config, ImageDataset train, InputConvention convention, ILogger logger,
        int rank = 0, int size = 1, ClassCenters? centers = null)
    {
        _sampler = SamplerFactory.Create(config.Sampler, train, config.Train.BatchSize, config.Train.Seed, centers);
        Loading = new LoaderOptions(config.Data.Workers, config.Data.Prefetch, config.Data.MaxFailureRate,
            _sampler.GroupSize, config.Data.MaxImagePixels);
        _loader = new BatchLoader(train.Samples, new TrainTransform(config.Data, convention), Loading,
            config.Train.Seed, logger);
        _share = new BatchShare(rank, size, _sampler.GroupSize);
    }

    /// <summary>How images are read (the validation reads the same way).</summary>
    public LoaderOptions Loading { get; }

    /// <summary>What the last epoch read, once it is done.</summary>
    public EpochReadStats? LastEpoch => _loader.LastEpoch;

    /// <summary>The data-set indices of every batch of a 0-based epoch.</summary>
    public IReadOnlyList<int[]> Plan(int epoch) => _sampler.Epoch(epoch);

    /// <summary>The batches of <paramref name="plan"/> from batch <paramref name="firstBatch"/> on.</summary>
    public IEnumerable<Batch> Read(int epoch, IReadOnlyList<int[]> plan, int firstBatch,
        CancellationToken cancellation) => _loader.Epoch(epoch, plan, cancellation, firstBatch, _share);
}
