using Cfcd.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Tests.Training;

public class SgdTests
{
    [Fact]
    public void NesterovStepsWithWeightDecayFollowTheFormula()
    {
        // One scalar parameter p with loss p^2 / 2 (gradient p), momentum 0.9, Nesterov, weight decay 0.1, lr 0.5.
        var parameter = new Parameter(tensor(new[] { 2.0f }));
        using var sgd = new Sgd([("p", parameter)], momentum: 0.9, nesterov: true, weightDecay: 0.1);
        double p = 2, buffer = 0;
        for (int step = 0; step < 3; step++)
        {
            sgd.ZeroGrad();
            (parameter.pow(2) / 2).sum().backward();
            sgd.Step(0.5);
            double direction = p + 0.1 * p;
            buffer = step == 0 ? direction : 0.9 * buffer + direction;
            p -= 0.5 * (direction + 0.9 * buffer);
            Assert.Equal(p, parameter.ToDouble(), tolerance: 1e-5);
        }
        Assert.Equal(buffer, sgd.MomentumBuffers["p"].ToDouble(), tolerance: 1e-5);
    }

    [Fact]
    public void ItMatchesTorchSharpsSgd()
    {
        manual_seed(3);
        var weights = randn(4, 3);
        var ours = new Parameter(weights.clone());
        var theirs = new Parameter(weights.clone());
        using var sgd = new Sgd([("w", ours)], momentum: 0.9, nesterov: true, weightDecay: 1e-2);
        var reference = optim.SGD([theirs], 0.05, momentum: 0.9, nesterov: true, weight_decay: 1e-2);
        var input = randn(5, 4);
        for (int step = 0; step < 4; step++)
        {
            sgd.ZeroGrad();
            reference.zero_grad();
            input.matmul(ours).tanh().sum().backward();
            input.matmul(theirs).tanh().sum().backward();
            sgd.Step(0.05);
            reference.step();
        }
        Golden.AssertClose(theirs, ours, 1e-6);
    }

    [Fact]
    public void MomentumBuffersLoadOnlyIntoMatchingParameters()
    {
        var parameter = new Parameter(zeros(2, 2));
        using var sgd = new Sgd([("w", parameter)], momentum: 0.9, nesterov: true, weightDecay: 0);
        sgd.LoadMomentumBuffers(new Dictionary<string, Tensor> { ["w"] = ones(2, 2) });
        Assert.Equal(4.0, sgd.MomentumBuffers["w"].sum().ToDouble());
        Assert.Throws<InvalidDataException>(() =>
            sgd.LoadMomentumBuffers(new Dictionary<string, Tensor> { ["w"] = ones(3) }));
        Assert.Throws<InvalidDataException>(() =>
            sgd.LoadMomentumBuffers(new Dictionary<string, Tensor> { ["other"] = ones(2, 2) }));
    }
}
