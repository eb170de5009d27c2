using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Distributed;
using Cfcd.Modeling;
using Microsoft.Extensions.Logging;

namespace Cfcd.Training;

/// <summary>
/// An epoch's validation: top-1 and top-5 of the cosine classifier over data.val_list with the evaluation transform,
/// as a metrics row and a log line. Why: validation reads its own list its own way, once an epoch.
/// </summary>
internal sealed class ValidationPass(ClassPredictor predictor, ImageDataset dataset, CfcdConfig config,
    RunMetrics metrics, ILogger logger, IProcessGroup group)
{
    private readonly EvalTransform _transform = new(config.Data.ValResize, config.Data.ImageSize,
        InputConvention.FromConfig(config.Model), config.Data.JpegDctScaling);

    public Accuracy Run(int epoch, long globalStep, CancellationToken cancellation)
    {
        var accuracy = predictor.Evaluate(dataset, _transform, config.Train.ForwardBatch, cancellation, group);
        metrics.Append(new MetricsRow(MetricsRow.ValidationPhase, epoch + 1, globalStep,
            new Dictionary<string, double> { [MetricsRow.Top1] = accuracy.Top1, [MetricsRow.Top5] = accuracy.Top5 }));
        logger.LogInformation("epoch {Epoch}/{Epochs}: validation top-1 {Top1:F2}%, top-5 {Top5:F2}% ({Images} images)",
            epoch + 1, config.Train.Epochs, accuracy.Top1, accuracy.Top5, accuracy.Images);
        return accuracy;
    }
}
