using Cfcd.Data;
using Cfcd.Distributed;
using Cfcd.Modeling;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>One image's prediction: the classes of its largest cosines, best first, and the largest cosine.</summary>
internal sealed record ClassPrediction(int SampleIndex, int[] TopClasses, float TopCosine);

/// <summary>Top-1 / top-5 accuracy (in %) over the readable images of a list.</summary>
public sealed record Accuracy(int Images, double Top1, double Top5, int Unreadable);

/// <summary>
/// Runs a network with its cosine classifier in eval mode over a list with an evaluation transform (short side
/// resized, centre crop) and yields the predictions in list order. Used for validation and for <c>cfcd score</c>.
/// </summary>
internal sealed class ClassPredictor(CfcdNet network, Device device, LoaderOptions loading, ILogger logger)
{
    /// <summary>Unreadable images of the last finished pass (skipped, with a warning each).</summary>
    public int LastUnreadable { get; private set; }

    /// <param name="share">The part of the list to predict (a data-parallel run's validation); null: all of it.
    /// </param>
    public IEnumerable<ClassPrediction> Predict(ImageDataset dataset, IImageTransform transform, int batchSize,
        int topK, CancellationToken cancellation, IProgress<long>? progress = null, BatchShare? share = null)
    {
        var loader = new BatchLoader(dataset.Samples, transform, loading with { GroupSize = 1 }, seed: 0, logger);
        var (first, count) = (share ?? BatchShare.Whole).Of(dataset.Samples.Count);
        var plan = Enumerable.Range(first, count).Chunk(batchSize).ToList();
        int k = (int)Math.Min(topK, network.Classifier.Classes);
        long done = 0;
        network.eval();
        foreach (var batch in loader.Epoch(0, plan, cancellation))
        {
            using (batch)
            {
                long[] classes;
                float[] best;
                using (var scope = NewDisposeScope())
                using (no_grad())
                {
                    var (embedding, _) = network.Embed(batch.Images.to(device), keepRes4: false);
                    var (values, indexes) = network.Classifier.forward(embedding).topk(k, dim: 1);
                    classes = indexes.cpu().data<long>().ToArray();
                    best = values.select(1, 0).cpu().data<float>().ToArray();
                }
                for (int row = 0; row < batch.Count; row++)
                    yield return new ClassPrediction(batch.SampleIndices[row],
                        classes.AsSpan(row * k, k).ToArray().Select(value => (int)value).ToArray(), best[row]);
                done += batch.Count + batch.Skipped;
                progress?.Report(done);
            }
        }
        LastUnreadable = loader.LastEpoch?.Failed ?? 0;
    }

    /// <summary>Top-1 and top-5 accuracy of the classifier over <paramref name="dataset"/>; the processes of
    /// <paramref name="group"/> each predict their part of it and add up the counts.</summary>
    public Accuracy Evaluate(ImageDataset dataset, IImageTransform transform, int batchSize,
        CancellationToken cancellation, IProcessGroup? group = null)
    {
        group ??= SingleProcessGroup.Instance;
        var share = new BatchShare(group.Rank, group.Size, 1);
        Span<double> counts = [0, 0, 0, 0]; // images, top-1, top-5, unreadable
        foreach (var prediction in Predict(dataset, transform, batchSize, topK: 5, cancellation, share: share))
        {
            int label = dataset.Samples[prediction.SampleIndex].Label;
            counts[0]++;
            counts[1] += prediction.TopClasses[0] == label ? 1 : 0;
            counts[2] += prediction.TopClasses.Contains(label) ? 1 : 0;
        }
        counts[3] = LastUnreadable;
        group.SumInPlace(counts);
        int images = (int)counts[0];
        return images == 0
            ? new Accuracy(0, 0, 0, (int)counts[3])
            : new Accuracy(images, 100.0 * counts[1] / images, 100.0 * counts[2] / images, (int)counts[3]);
    }
}
