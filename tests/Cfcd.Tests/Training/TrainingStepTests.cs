using Cfcd.Config;
using Cfcd.Losses;
using Cfcd.Modeling;
using Cfcd.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Tests.Training;

[Collection(TorchRandomCollection.Name)]
public class TrainingStepTests
{
    private static readonly NetworkSpec Spec = new(new ResNetLayout(18, 4), 8, Classes: 5);

    private static CfcdNet Network(int ghost)
    {
        manual_seed(11);
        var network = new CfcdNet(Spec);
        network.SetGhostBatchSize(ghost);
        return network;
    }

    private static (Tensor Images, Tensor Labels) Batch(int images = 16)
    {
        manual_seed(12);
        return (randn(images, 3, 32, 32), tensor(Enumerable.Range(0, images).Select(i => (long)(i % 5)).ToArray()));
    }

    private static (StepResult Result, CfcdNet Network) Step(int ghost, StepOptions options, Tensor images,
        Tensor labels, ILossTerm? term = null, IGradientReducer? gradients = null, HardExamplePool? pool = null)
    {
        var network = Network(ghost);
        var sgd = new Sgd(network.named_parameters().ToList(), 0.9, nesterov: true, weightDecay: 1e-4);
        var step = new TrainingStep(network, new MadaCos(0.02), term is null ? [] : [term], sgd, options,
            gradients: gradients, pool: pool);
        return (step.Run(images, labels, learningRate: 0.1, runStep: 0), network);
    }

    /// <summary>Zeroes every gradient it is given, and names the parameters that had one.</summary>
    private sealed class ZeroGradients : IGradientReducer
    {
        public List<string> Reduced { get; } = [];

        public void Reduce(IReadOnlyList<(string Name, Parameter Parameter)> parameters)
        {
            foreach (var (name, parameter) in parameters)
            {
                using var gradient = parameter.grad;
                if (gradient is null)
                    continue;
                gradient.zero_();
                Reduced.Add(name);
            }
        }
    }

    /// <summary>An extra loss term of a fixed value (no gradient), counting 1 of 2 per micro-batch.</summary>
    private sealed class ConstantTerm(float value, double weight) : ILossTerm
    {
        public string LossColumn => MetricsRow.LocalLoss;

        public string? TallyColumn => MetricsRow.MatchesPerTuple;

        public bool NeedsRes4 => false;

        public LossTermPart Forward(MicroBatchOutputs outputs) => new(tensor(value), weight, new Tally(1, 2));
    }

    /// <summary>An extra loss term with a gradient: the mean of the embeddings' entries.</summary>
    private sealed class MeanEmbeddingTerm : ILossTerm
    {
        public string LossColumn => MetricsRow.LocalLoss;

        public string? TallyColumn => null;

        public bool NeedsRes4 => false;

        public LossTermPart Forward(MicroBatchOutputs outputs) => new(outputs.Embedding.mean(), 1.0, default);
    }

    private static void AssertSameParameters(CfcdNet expected, CfcdNet actual, bool same = true)
    {
        bool allSame = expected.named_parameters().Zip(actual.named_parameters())
            .All(pair => pair.First.parameter.allclose(pair.Second.parameter, rtol: 0, atol: 0));
        Assert.Equal(same, allSame);
    }

    [Fact]
    public void MicroBatchesWithWholeBatchStatisticsGiveTheStepOfTheWholeBatch()
    {
        var (images, labels) = Batch();
        // Ghost groups of 8 make each micro-batch of 8 see the BatchNorm statistics it sees inside the whole batch.
        var (whole, wholeNetwork) = Step(ghost: 8, new StepOptions(0, true), images, labels);
        var (split, splitNetwork) = Step(ghost: 8, new StepOptions(8, true), images, labels);
        Assert.Equal(whole.Statistics, split.Statistics);
        Assert.Equal(whole.Loss, split.Loss, tolerance: 1e-5);
        Assert.Equal(whole.Correct, split.Correct);
        foreach (var ((name, expected), (_, actual)) in wholeNetwork.named_parameters()
            .Zip(splitNetwork.named_parameters()))
            Assert.True(expected.allclose(actual, rtol: 1e-4, atol: 1e-6), name);
        foreach (var ((name, expected), (_, actual)) in wholeNetwork.named_buffers().Zip(splitNetwork.named_buffers()))
            Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6),
                $"{name}: the statistics pass must not move the running statistics");
    }

    private static HardExamplePool Hep(int poolSize, PoolStatistics statistics = PoolStatistics.Full) =>
        new(new HepConfig { Enabled = true, TopK = 0, PoolSize = poolSize, Statistics = statistics }, Spec.Classes,
            seed: 3);

    /// <summary>A batch of classes 0 to 2 of the 5, so that a pool of 4 leaves one class out.</summary>
    private static (Tensor Images, Tensor Labels) ThreeClassBatch() =>
        (Batch().Images, tensor(Enumerable.Range(0, 16).Select(i => (long)(i % 3)).ToArray()));

    [Fact]
    public void AHepPoolOfEveryClassGivesTheFullSoftmaxStep()
    {
        var (images, labels) = ThreeClassBatch();
        var (full, fullNetwork) = Step(ghost: 8, new StepOptions(0, true), images, labels);
        var (pooled, pooledNetwork) = Step(ghost: 8, new StepOptions(0, true), images, labels, pool: Hep(5));
        Assert.Equal(full.Statistics, pooled.Statistics);
        Assert.Equal(full.Loss, pooled.Loss);
        AssertSameParameters(fullNetwork, pooledNetwork);
    }

    [Theory]
    [InlineData(PoolStatistics.Full)]
    [InlineData(PoolStatistics.Pool)]
    public void TheHepLossIsMadaCosOverThePoolsColumns(PoolStatistics from)
    {
        var (images, labels) = ThreeClassBatch();
        var (result, _) = Step(ghost: 8, new StepOptions(0, true), images, labels, pool: Hep(4, from));
        using var noGrad = no_grad();
        var fresh = Network(ghost: 8);
        fresh.train();
        var (embedding, _) = fresh.Embed(images, keepRes4: false);
        var cosines = fresh.Classifier.forward(embedding);
        var pool = Hep(4).Choose(cosines, labels, Cfcd.Distributed.SingleProcessGroup.Instance, 0);
        Assert.Equal(4, pool.Classes.Length);
        Assert.Subset(pool.Classes.ToHashSet(), new HashSet<long> { 0, 1, 2 });
        var madaCos = new MadaCos(0.02);
        var statistics = from == PoolStatistics.Full
            ? madaCos.Solve(cosines, labels, training: true)
            : madaCos.Solve(pool.Columns(cosines), pool.Positions(labels), training: true);
        Assert.Equal(statistics.LogB, result.Statistics!.LogB, tolerance: 1e-6);
        Assert.Equal(madaCos.Loss(pool.Columns(cosines), pool.Positions(labels), statistics).ToDouble(),
            result.ClassificationLoss, tolerance: 1e-5);
        // The pool's sum of exp(s cos) leaves a class out, so its ln B is smaller.
        var all = madaCos.Solve(cosines, labels, training: true);
        Assert.Equal(from == PoolStatistics.Pool, result.Statistics.LogB < all.LogB - 1e-6);
    }

    [Fact]
    public void HepMicroBatchesWithWholeBatchStatisticsGiveTheStepOfTheWholeBatch()
    {
        var (images, labels) = ThreeClassBatch();
        var (whole, wholeNetwork) = Step(ghost: 8, new StepOptions(0, true), images, labels, pool: Hep(4));
        var (split, splitNetwork) = Step(ghost: 8, new StepOptions(8, true), images, labels, pool: Hep(4));

        Assert.Equal(whole.Statistics, split.Statistics);
        Assert.Equal(whole.Loss, split.Loss, tolerance: 1e-5);
        foreach (var ((name, expected), (_, actual)) in wholeNetwork.named_parameters()
            .Zip(splitNetwork.named_parameters()))
            Assert.True(expected.allclose(actual, rtol: 1e-4, atol: 1e-4), name);
    }

    [Fact]
    public void TheWholeBatchPassComputesCosinesAMicroBatchAtATimeAsEachProcessDoes()
    {
        // At 512-d and thousands of classes a matrix product's rows can change in the last bits with its row count (on
        // the Intel Xeon of 2026-12-04, by 9e-8 here, enough to change MadaCos's solution); each process of a
        // data-parallel run computes its share's cosines, so the first pass must do the same.
        var spec = new NetworkSpec(new ResNetLayout(18, 4), 512, Classes: 4096);
        CfcdNet Fresh()
        {
            manual_seed(11);
            var network = new CfcdNet(spec);
            network.SetGhostBatchSize(8);
            return network;
        }
        var (images, labels) = Batch();
        var network = Fresh();
        var sgd = new Sgd(network.named_parameters().ToList(), 0.9, nesterov: true, weightDecay: 1e-4);
        var result = new TrainingStep(network, new MadaCos(0.02), [], sgd, new StepOptions(8, true))
            .Run(images, labels, learningRate: 0.1, runStep: 0);

        var fresh = Fresh();
        fresh.train();
        using var noGrad = no_grad();
        using var frozen = fresh.UseNormStatistics(NormStatistics.Frozen);
        var embeddings = Enumerable.Range(0, 2)
            .Select(part => fresh.Embed(images.narrow(0, 8 * part, 8), keepRes4: false).Embedding).ToList();
        var cosines = cat(embeddings.Select(fresh.Classifier.forward).ToList(), 0);
        Assert.Equal(new MadaCos(0.02).Solve(cosines, labels, training: true), result.Statistics);
    }

    [Fact]
    public void PerMicroBatchStatisticsSolveEachMicroBatchOnItsOwn()
    {
        var (images, labels) = Batch();
        var (split, _) = Step(ghost: 8, new StepOptions(8, false), images, labels);
        using var noGrad = no_grad();
        // The reported solution is the last micro-batch's.
        var fresh = Network(ghost: 8);
        fresh.train();
        var (embedding, _) = fresh.Embed(images.narrow(0, 8, 8), keepRes4: false);
        var expected =
            new MadaCos(0.02).Solve(fresh.Classifier.forward(embedding), labels.narrow(0, 8, 8), training: true);
        Assert.Equal(expected.MedianCosine, split.Statistics!.MedianCosine, tolerance: 1e-6);
        Assert.Equal(16, split.Images);
    }

    [Fact]
    public void StageTwoAddsTheWeightedLocalLossOfTheTuples()
    {
        var (images, labels) = Batch(images: 8);
        var local = new LocalTripletLoss(margin: 0.1, loweRatio: 1.0, attentionKeep: 1.0);
        var (result, _) = Step(ghost: 0, new StepOptions(0, true), images, labels,
            new LocalTripletTerm(local, tupleSize: 4, weight: 0.5, group: 4));
        var term = Assert.Single(result.ExtraLosses);
        Assert.Equal(2, term.Tally.Of);
        Assert.True(term.Tally.Count > 0);
        // lambda 0.5 times the summed triplets divided by batch / local_group = 2.
        var network = Network(ghost: 0);
        network.train();
        var (_, res4) = network.Embed(images, keepRes4: true);
        double expected = local.Forward(res4!, 4).Loss.ToDouble() * 0.5 / 2;
        Assert.Equal(expected, term.Loss, tolerance: 1e-5);
        Assert.Equal(result.ClassificationLoss + term.Loss, result.Loss, tolerance: 1e-9);
    }

    [Fact]
    public void ANonFiniteLossLeavesTheWeightsAlone()
    {
        var (images, labels) = Batch();
        images[0, 0, 0, 0] = tensor(float.NaN);
        var (result, network) = Step(ghost: 0, new StepOptions(0, true), images, labels);
        Assert.False(result.IsFinite);
        var untouched = Network(ghost: 0);
        foreach (var ((name, expected), (_, actual)) in untouched.named_parameters().Zip(network.named_parameters()))
            Assert.True(expected.allclose(actual, rtol: 0, atol: 0), name);
    }

    [Fact]
    public void TheGradientReducerActsBetweenBackwardAndTheOptimiserStep()
    {
        var (images, labels) = Batch();
        var zero = new ZeroGradients();
        var (result, network) = Step(ghost: 0, new StepOptions(0, true), images, labels, gradients: zero);
        Assert.True(result.IsFinite);
        Assert.NotEmpty(zero.Reduced);
        // With the gradients zeroed only weight decay moves a parameter: g = wd p, buffer = g, step g + 0.9 buffer.
        double shrink = 1 - 0.1 * 1e-4 * (1 + 0.9);
        var untouched = Network(ghost: 0);
        foreach (var ((name, before), (_, after)) in untouched.named_parameters().Zip(network.named_parameters()))
        {
            using var expected = before * (zero.Reduced.Contains(name) ? shrink : 1.0);
            Assert.True(after.allclose(expected, rtol: 1e-6, atol: 0), name);
        }
    }

    [Fact]
    public void AnExtraLossTermIsAddedWithItsWeightInEveryMicroBatch()
    {
        var (images, labels) = Batch();
        var (plain, plainNetwork) = Step(ghost: 8, new StepOptions(8, true), images, labels);
        var (result, network) = Step(ghost: 8, new StepOptions(8, true), images, labels, new ConstantTerm(3, 0.5));
        var term = Assert.Single(result.ExtraLosses);
        // Two micro-batches of 8, each adding 0.5 x 3 and counting 1 of 2.
        Assert.Equal(3.0, term.Loss);
        Assert.Equal(new Tally(2, 4), term.Tally);
        Assert.Equal(plain.ClassificationLoss, result.ClassificationLoss);
        Assert.Equal(plain.ClassificationLoss + 3.0, result.Loss);
        // A constant has no gradient: the step is the plain one.
        AssertSameParameters(plainNetwork, network);
    }

    [Fact]
    public void AnExtraLossTermsGradientReachesTheWeights()
    {
        var (images, labels) = Batch();
        var (plain, plainNetwork) = Step(ghost: 0, new StepOptions(0, true), images, labels);
        var (result, network) = Step(ghost: 0, new StepOptions(0, true), images, labels, new MeanEmbeddingTerm());
        var fresh = Network(ghost: 0);
        fresh.train();
        using (no_grad())
        {
            var (embedding, _) = fresh.Embed(images, keepRes4: false);
            Assert.Equal(embedding.mean().ToDouble(), result.ExtraLosses[0].Loss, tolerance: 1e-6);
        }
        Assert.Equal(plain.ClassificationLoss + result.ExtraLosses[0].Loss, result.Loss, tolerance: 1e-9);
        AssertSameParameters(plainNetwork, network, same: false);
    }
}
