using Cfcd.Config;
using Cfcd.Losses;
using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>What one optimiser step computed, for logging. Losses are means over the batch as the optimiser saw them.</summary>
/// <param name="Statistics">MadaCos's solution (of the whole batch, or of the last micro-batch); null for the fixed heads.</param>
/// <param name="Correct">Images whose largest cosine was their own class.</param>
public sealed record StepResult(int Images, double Loss, double ClassificationLoss, double LocalLoss, MadaCosStatistics? Statistics,
    int Matches, int Tuples, int Correct)
{
    public bool IsFinite => double.IsFinite(Loss) && double.IsFinite(ClassificationLoss) && double.IsFinite(LocalLoss);
}

/// <summary>How a <see cref="TrainingStep"/> splits and weighs a batch.</summary>
/// <param name="MicroBatch">Images per forward pass (0: the whole batch); gradients accumulate over the passes.</param>
/// <param name="WholeBatchStatistics">With micro-batches, solve MadaCos over the whole batch in a first no-grad pass.</param>
/// <param name="TupleSize">Stage 2: images per tuple; 0 in stage 1 (no local loss).</param>
/// <param name="LocalWeight">lambda, the weight of the local triplet loss.</param>
/// <param name="LocalGroup">The triplet sum is divided by images / LocalGroup (0: not divided).</param>
public sealed record StepOptions(int MicroBatch, bool WholeBatchStatistics, int TupleSize, double LocalWeight, int LocalGroup)
{
    public static StepOptions FromConfig(CfcdConfig config) => new(config.Train.MicroBatch,
        config.Loss.MadacosStatistics == StatisticsScope.Batch, config.Train.Stage == 2 ? config.Sampler.TupleSize : 0,
        config.Loss.LocalWeight, config.Loss.LocalGroup);
}

/// <summary>
/// One optimisation step over a logical batch: the classification loss (MadaCos or a fixed head) on the cosine
/// classifier, plus in stage 2 lambda times the local triplet loss over the batch's tuples, then SGD. A batch split
/// into micro-batches accumulates gradients weighted by their share of the batch and BatchNorm statistics for one
/// update; MadaCos's scale and margin then come from the whole batch (a first no-grad pass with the BatchNorm running
/// statistics frozen) unless asked per micro-batch. With ghost batch norm groups that divide the micro-batch, the
/// step is the one of the whole batch.
/// </summary>
public sealed class TrainingStep(CfcdNet network, IClassificationLoss head, LocalTripletLoss? local, Sgd optimizer, StepOptions options)
{
    public StepResult Run(Tensor images, Tensor labels, double learningRate)
    {
        network.train();
        optimizer.ZeroGrad();
        int batch = (int)images.shape[0];
        int chunk = options.MicroBatch > 0 ? Math.Min(options.MicroBatch, batch) : batch;
        var shared = head.SolvesPerBatch && chunk < batch && options.WholeBatchStatistics ? SolveOverBatch(images, labels, chunk) : null;
        double localScale = options.LocalGroup > 0 ? options.LocalWeight * options.LocalGroup / batch : options.LocalWeight;

        double classification = 0, localLoss = 0;
        int matches = 0, tuples = 0, correct = 0;
        MadaCosStatistics? statistics = shared;
        // Micro-batches move the BatchNorm running statistics once, as the whole batch would.
        using var norms = chunk < batch ? network.UseNormStatistics(NormStatistics.Accumulate) : null;
        for (int start = 0; start < batch; start += chunk)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(chunk, batch - start);
            var part = images.narrow(0, start, count);
            var partLabels = labels.narrow(0, start, count);
            var (embedding, res4) = network.Embed(part, keepRes4: local is not null);
            var cosines = network.Classifier.forward(embedding);
            statistics = shared ?? head.Solve(cosines, partLabels);
            var classificationLoss = head.Loss(cosines, partLabels, statistics);
            var loss = classificationLoss * ((double)count / batch);
            if (local is not null)
            {
                var result = local.Forward(res4!, options.TupleSize);
                loss = loss + result.Loss * localScale;
                localLoss += result.Loss.ToDouble() * localScale;
                (matches, tuples) = (matches + result.Matches, tuples + result.Tuples);
            }
            loss.backward();
            classification += classificationLoss.ToDouble() * count / batch;
            correct += (int)cosines.argmax(1).eq(partLabels).sum().ToInt64();
        }
        norms?.Dispose();
        var step = new StepResult(batch, classification + localLoss, classification, localLoss, statistics, matches, tuples, correct);
        if (step.IsFinite)
            optimizer.Step(learningRate);
        return step;
    }

    private MadaCosStatistics? SolveOverBatch(Tensor images, Tensor labels, int chunk)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var frozen = network.UseNormStatistics(NormStatistics.Frozen);
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += chunk)
        {
            var (embedding, _) = network.Embed(images.narrow(0, start, Math.Min(chunk, images.shape[0] - start)), keepRes4: false);
            parts.Add(network.Classifier.forward(embedding));
        }
        return head.Solve(cat(parts, 0), labels);
    }
}
