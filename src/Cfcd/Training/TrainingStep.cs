using Cfcd.Config;
using Cfcd.Distributed;
using Cfcd.Losses;
using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>How a <see cref="TrainingStep"/> splits a batch. Why: a batch that does not fit is run in parts.</summary>
/// <param name="MicroBatch">Images per forward pass (0: the whole batch); gradients accumulate over the passes.</param>
/// <param name="WholeBatchStatistics">With micro-batches, solve MadaCos over the whole batch in a first no-grad
/// pass.</param>
internal sealed record StepOptions(int MicroBatch, bool WholeBatchStatistics)
{
    public static StepOptions FromConfig(CfcdConfig config) =>
        new(config.Train.MicroBatch, config.Loss.MadacosStatistics == StatisticsScope.Batch);
}

/// <summary>What a step solves over a batch before its loss: MadaCos's scale and margin (null for fixed heads) and the
/// HEP pool (null without HEP).</summary>
internal sealed record BatchSolution(MadaCosStatistics? Statistics, ClassPool? Pool);

/// <summary>
/// One optimisation step over a logical batch: the classification loss (MadaCos or a fixed head, over all classes or
/// over the HEP pool) on the cosine classifier plus the extra loss terms (stage 2's local triplet loss, DC-I-Net's
/// terms), backward, the gradient reducer, then SGD. A batch split into micro-batches accumulates gradients weighted
/// by their share of the batch and BatchNorm statistics for one update; MadaCos's scale and margin and the HEP pool
/// then come from the whole batch (a first no-grad pass with the BatchNorm running statistics frozen) unless asked per
/// micro-batch. With ghost batch norm groups that divide the micro-batch, the step is the one of the whole batch. Why:
/// the trainer and the benchmarks take the same step.
/// </summary>
/// <param name="extraLosses">Terms added to the classification loss, in this order.</param>
/// <param name="pool">DC-I-Net's hard-example-priority pool: the softmax runs over its classes; null: all classes.
/// </param>
/// <param name="group">The processes of a data-parallel run, each with its share of the batch: MadaCos and the pool
/// are solved over the global batch, losses are normalised by its size, and the step's sums are summed over the
/// processes; null: one process.</param>
/// <param name="gradients">Combines the gradients before the optimiser step; null: one process (nothing to do).
/// </param>
internal sealed class TrainingStep(CfcdNet network, IClassificationLoss head, IReadOnlyList<ILossTerm> extraLosses,
    Sgd optimizer, StepOptions options, IProcessGroup? group = null, IGradientReducer? gradients = null,
    HardExamplePool? pool = null)
{
    private readonly IProcessGroup _group = group ?? SingleProcessGroup.Instance;
    private readonly IGradientReducer _gradients = gradients ?? SingleProcessGradients.Instance;
    private readonly bool _keepRes4 = extraLosses.Any(term => term.NeedsRes4);

    /// <param name="runStep">The run's 0-based step (the HEP pool's random classes are drawn from it).</param>
    public StepResult Run(Tensor images, Tensor labels, double learningRate, long runStep)
    {
        network.train();
        optimizer.ZeroGrad();
        int batch = (int)images.shape[0];
        int chunk = options.MicroBatch > 0 ? Math.Min(options.MicroBatch, batch) : batch;
        var solved = (head.SolvesPerBatch || pool is not null) && chunk < batch && options.WholeBatchStatistics
            ? SolveOverBatch(images, labels, chunk, runStep)
            : null;
        var sums = new StepSums(GlobalImages(batch), extraLosses, solved);
        // Micro-batches move the BatchNorm running statistics once, as the whole batch would.
        using (chunk < batch ? network.UseNormStatistics(NormStatistics.Accumulate) : null)
        {
            for (int start = 0; start < batch; start += chunk)
                Backward(images, labels, start, Math.Min(chunk, batch - start), sums, runStep);
        }
        var step = sums.Result(_group);
        _gradients.Reduce(optimizer.Parameters);
        if (step.IsFinite)
            optimizer.Step(learningRate);
        foreach (var term in extraLosses)
            term.EndStep(_group);
        return step;
    }

    /// <summary>Forward and backward of one micro-batch, its losses weighted by its share of the batch.</summary>
    private void Backward(Tensor images, Tensor labels, int start, int count, StepSums sums, long runStep)
    {
        using var scope = NewDisposeScope();
        var part = images.narrow(0, start, count);
        var partLabels = labels.narrow(0, start, count);
        var (embedding, res4) = network.Embed(part, keepRes4: _keepRes4);
        // Under HEP the loss reads the pool's cosines alone; all classes' are still needed, without gradient, to
        // choose the pool, solve MadaCos and count the correct predictions.
        Tensor cosines;
        using (pool is null ? null : no_grad())
            cosines = network.Classifier.forward(embedding);
        var solution = sums.Shared
                       ?? Solve(cosines, pool?.Scores(embedding, cosines), partLabels,
                           WholeBatch ? _group : SingleProcessGroup.Instance, runStep);
        var classificationLoss = solution.Pool is { } classes
            ? head.Loss(network.Classifier.Columns(embedding, classes.Index(embedding.device)),
                classes.Positions(partLabels), solution.Statistics)
            : head.Loss(cosines, partLabels, solution.Statistics);
        var loss = classificationLoss * ((double)count / sums.Images);
        var outputs = new MicroBatchOutputs(embedding, res4, partLabels, sums.Images);
        for (int index = 0; index < extraLosses.Count; index++)
        {
            var term = extraLosses[index].Forward(outputs);
            loss = loss + term.Loss * term.Weight;
            sums.AddTerm(index, term.Loss.ToDouble() * term.Weight, term.Tally);
        }
        loss.backward();
        sums.AddClassification(classificationLoss.ToDouble() * count / sums.Images, solution,
            (int)cosines.argmax(1).eq(partLabels).sum().ToInt64());
    }

    /// <summary>The pool, then MadaCos over all columns or the pool's, over the images of <paramref name="over"/>.
    /// </summary>
    /// <param name="scores">The pool's <see cref="HardExamplePool.Scores"/> of the images.</param>
    private BatchSolution Solve(Tensor cosines, Tensor? scores, Tensor labels, IProcessGroup over, long runStep)
    {
        var classes = pool?.Choose(scores, labels, over, runStep);
        var statistics = classes is not null && pool!.StatisticsFromPool
            ? head.Solve(classes.Columns(cosines), classes.Positions(labels), over)
            : head.Solve(cosines, labels, over);
        return new BatchSolution(statistics, classes);
    }

    private BatchSolution SolveOverBatch(Tensor images, Tensor labels, int chunk, long runStep)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var frozen = network.UseNormStatistics(NormStatistics.Frozen);
        // A micro-batch at a time, cosines and scores too: a matrix product's rows can depend on how many rows it has,
        // and the micro-batches (or each process's share) compute theirs so.
        var cosines = new List<Tensor>();
        var scores = new List<Tensor?>();
        for (long start = 0; start < images.shape[0]; start += chunk)
        {
            var (embedding, _) = network.Embed(images.narrow(0, start, Math.Min(chunk, images.shape[0] - start)),
                keepRes4: false);
            cosines.Add(network.Classifier.forward(embedding));
            scores.Add(pool?.Scores(embedding, cosines[^1]));
        }
        return Solve(cat(cosines, 0), scores.Contains(null) ? null : cat(scores!, 0), labels, _group, runStep);
    }

    /// <summary>Whether MadaCos and the pool are solved over the global batch of a data-parallel run.</summary>
    private bool WholeBatch => options.WholeBatchStatistics && _group.Size > 1;

    private int GlobalImages(int images)
    {
        Span<double> count = [images];
        _group.SumInPlace(count);
        return (int)count[0];
    }
}
