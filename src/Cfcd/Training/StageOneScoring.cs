using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Modeling;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Cfcd.Training;

/// <summary>What scoring the training list gave.</summary>
public sealed record ScoringResult(int Written, int Correct, int Unreadable)
{
    public double Top1 => 100.0 * Correct / Math.Max(Written, 1);
}

/// <summary>
/// The score file of the stage-2 tuple sampler: a stage-1 network (with its classifier) in eval mode, the evaluation
/// transform (short side data.val_resize, centre crop data.image_size; not the training augmentation, which the
/// reference code mistakenly used) over data.train_list, one <c>path true predicted score</c> line per readable image.
/// </summary>
public static class StageOneScoring
{
    public static ScoringResult Write(LoadedNetwork model, CfcdConfig config, ImageDataset dataset, string outputPath,
        torch.Device device, ILogger logger, IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        var (network, convention) = (model.Network, model.Convention);
        if (network.Spec.Classes != dataset.Classes)
            throw new InputException($"{model.Path}: scoring needs the stage-1 classifier for the " +
                                     $"{dataset.Classes} classes of {config.Data.TrainList}; " +
                                     "the weights have " +
                                     $"{(network.Spec.Classes == 0 ? "none" : $"{network.Spec.Classes}")}");
        var loading = new LoaderOptions(config.Data.Workers, config.Data.Prefetch, config.Data.MaxFailureRate,
            MaxImagePixels: config.Data.MaxImagePixels);
        var predictor = new ClassPredictor(network, device, loading, logger);
        var transform = new EvalTransform(config.Data.ValResize, config.Data.ImageSize, convention,
            config.Data.JpegDctScaling);
        int batch = config.Train.ForwardBatch;
        int written = 0, correct = 0;
        var predictions =
            predictor.Predict(dataset, transform, batch, topK: 1, cancellation, progress).Select(prediction =>
        {
            written++;
            correct += prediction.TopClasses[0] == dataset.Samples[prediction.SampleIndex].Label ? 1 : 0;
            return (prediction.SampleIndex, prediction.TopClasses[0], prediction.TopCosine);
        });
        StageOneScores.Write(outputPath, dataset, predictions);
        return new ScoringResult(written, correct, predictor.LastUnreadable);
    }
}
