using Cfcd.Losses;
using Cfcd.Modeling;
using Cfcd.Training;
using TorchSharp;
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

    private static (StepResult Result, CfcdNet Network) Step(int ghost, StepOptions options, Tensor images, Tensor labels, LocalTripletLoss? local = null)
    {
        var network = Network(ghost);
        var sgd = new Sgd(network.named_parameters().ToList(), 0.9, nesterov: true, weightDecay: 1e-4);
        var result = new TrainingStep(network, new MadaCos(0.02), local, sgd, options).Run(images, labels, learningRate: 0.1);
        return (result, network);
    }

    [Fact]
    public void MicroBatchesWithWholeBatchStatisticsGiveTheStepOfTheWholeBatch()
    {
        var (images, labels) = Batch();
        // Ghost groups of 8 make each micro-batch of 8 see the BatchNorm statistics it sees inside the whole batch.
        var (whole, wholeNetwork) = Step(ghost: 8, new StepOptions(0, true, 0, 1, 16), images, labels);
        var (split, splitNetwork) = Step(ghost: 8, new StepOptions(8, true, 0, 1, 16), images, labels);
        Assert.Equal(whole.Statistics, split.Statistics);
        Assert.Equal(whole.Loss, split.Loss, tolerance: 1e-5);
        Assert.Equal(whole.Correct, split.Correct);
        foreach (var ((name, expected), (_, actual)) in wholeNetwork.named_parameters().Zip(splitNetwork.named_parameters()))
            Assert.True(expected.allclose(actual, rtol: 1e-4, atol: 1e-6), name);
        foreach (var ((name, expected), (_, actual)) in wholeNetwork.named_buffers().Zip(splitNetwork.named_buffers()))
            Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6), $"{name}: the statistics pass must not move the running statistics");
    }

    [Fact]
    public void PerMicroBatchStatisticsSolveEachMicroBatchOnItsOwn()
    {
        var (images, labels) = Batch();
        var (split, _) = Step(ghost: 8, new StepOptions(8, false, 0, 1, 16), images, labels);
        using var noGrad = no_grad();
        // The reported solution is the last micro-batch's.
        var fresh = Network(ghost: 8);
        fresh.train();
        var (embedding, _) = fresh.Embed(images.narrow(0, 8, 8), keepRes4: false);
        var expected = new MadaCos(0.02).Solve(fresh.Classifier.forward(embedding), labels.narrow(0, 8, 8), training: true);
        Assert.Equal(expected.MedianCosine, split.Statistics!.MedianCosine, tolerance: 1e-6);
        Assert.Equal(16, split.Images);
    }

    [Fact]
    public void StageTwoAddsTheWeightedLocalLossOfTheTuples()
    {
        var (images, labels) = Batch(images: 8);
        var local = new LocalTripletLoss(margin: 0.1, loweRatio: 1.0, attentionKeep: 1.0);
        var (result, _) = Step(ghost: 0, new StepOptions(0, true, TupleSize: 4, LocalWeight: 0.5, LocalGroup: 4), images, labels, local);
        Assert.Equal(2, result.Tuples);
        Assert.True(result.Matches > 0);
        // lambda 0.5 times the summed triplets divided by batch / local_group = 2.
        var network = Network(ghost: 0);
        network.train();
        var (_, res4) = network.Embed(images, keepRes4: true);
        double expected = local.Forward(res4!, 4).Loss.ToDouble() * 0.5 / 2;
        Assert.Equal(expected, result.LocalLoss, tolerance: 1e-5);
        Assert.Equal(result.ClassificationLoss + result.LocalLoss, result.Loss, tolerance: 1e-9);
    }

    [Fact]
    public void ANonFiniteLossLeavesTheWeightsAlone()
    {
        var (images, labels) = Batch();
        images[0, 0, 0, 0] = tensor(float.NaN);
        var (result, network) = Step(ghost: 0, new StepOptions(0, true, 0, 1, 16), images, labels);
        Assert.False(result.IsFinite);
        var untouched = Network(ghost: 0);
        foreach (var ((name, expected), (_, actual)) in untouched.named_parameters().Zip(network.named_parameters()))
            Assert.True(expected.allclose(actual, rtol: 0, atol: 0), name);
    }
}
