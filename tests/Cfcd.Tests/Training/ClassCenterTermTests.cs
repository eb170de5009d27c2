using Cfcd.Config;
using Cfcd.Distributed;
using Cfcd.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Training;

public class ClassCenterTermTests
{
    private static MicroBatchOutputs Outputs(Tensor embedding, Tensor labels, int batchImages) =>
        new(embedding, null, labels, batchImages);

    [Fact]
    public void TheCentreLossIsOneMinusTheCosineToTheCentreOfTheImagesWhoseClassHasOne()
    {
        using var term = new ClassCenterTerm(new CentersConfig { Enabled = true, Momentum = 0.5, Weight = 0.2 }, 3);
        // Before any centre the loss is zero (and in the graph); the step's end makes class 0's centre (1, 0).
        var first = term.Forward(Outputs(tensor(new float[] { 2, 0 }).view(1, 2), tensor(new long[] { 0 }), 4));
        Assert.Equal(0, first.Loss.ToDouble());
        term.EndStep(SingleProcessGroup.Instance);

        var embedding = tensor(new float[] { 0.6f, 0.8f, 0, 5 }).view(2, 2).requires_grad_();
        var part = term.Forward(Outputs(embedding, tensor(new long[] { 0, 2 }), 4));
        // Only the first image's class has a centre: 1 - cos((0.6, 0.8), (1, 0)) = 0.4.
        Assert.Equal(0.4, part.Loss.ToDouble(), 6);
        Assert.Equal(0.2 * 2 / 4, part.Weight, 12);
        part.Loss.backward();
        Assert.Equal(new float[] { 0, 0 }, embedding.grad!.select(0, 1).data<float>().ToArray());
        term.EndStep(SingleProcessGroup.Instance);
        Assert.Equal(["centers", "seen"], term.State().Keys.Order());
    }
}
