using Cfcd.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Losses;

public class OnlinePairingLossTests
{
    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    private static double LogSumExp(params double[] values) =>
        values.Max() + Math.Log(values.Sum(value => Math.Exp(value - values.Max())));

    [Fact]
    public void EachAnchorAndInBatchPositiveAgainstTheNegativesOfBatchAndDictionary()
    {
        // Unit vectors: e0 = (1, 0), e1 = (0.6, 0.8) share class 0; e2 = (0, 1) is class 1 and has no positive.
        // The dictionary holds q0 = (-1, 0) of class 1 and q1 = (0.8, 0.6) of class 0, which is masked for both.
        var embeddings = tensor(new float[] { 2, 0, 0.6f, 0.8f, 0, 3 }).view(3, 2);
        var labels = tensor(new long[] { 0, 0, 1 });
        var memory = (tensor(new float[] { -1, 0, 0.8f, 0.6f }).view(2, 2), tensor(new long[] { 1, 0 }));
        const double scale = 2;
        var (loss, pairs) = OnlinePairingLoss.Forward(embeddings, labels, memory, scale);

        double anchor0 = Softplus(LogSumExp(scale * 0, scale * -1) - scale * 0.6);
        double anchor1 = Softplus(LogSumExp(scale * 0.8, scale * -0.6) - scale * 0.6);
        Assert.Equal(2, pairs);
        Assert.Equal((anchor0 + anchor1) / 2, loss.ToDouble(), 5);
    }

    [Fact]
    public void TheGradientGoesThroughTheAnchorsOnly()
    {
        var embeddings = tensor(new float[] { 1, 0, 0.6f, 0.8f, 0, 1 }).view(3, 2).requires_grad_();
        var labels = tensor(new long[] { 0, 0, 1 });
        var memory = tensor(new float[] { -1, 0 }).view(1, 2).requires_grad_();
        var (loss, _) = OnlinePairingLoss.Forward(embeddings, labels, (memory, tensor(new long[] { 1 })), 4);
        loss.backward();
        // e2 has no positive: it is only ever a (detached) negative, and the dictionary entry is one too.
        Assert.Equal(new float[] { 0, 0 }, embeddings.grad!.select(0, 2).data<float>().ToArray());
        Assert.True(memory.grad is null || memory.grad.abs().sum().ToDouble() == 0);
        // e0's gradient is its own anchor term's only: e1, its positive, is detached there.
        var alone = tensor(new float[] { 1, 0 }).view(1, 2).requires_grad_();
        var keys = tensor(new float[] { 1, 0, 0.6f, 0.8f, 0, 1, -1, 0 }).view(4, 2);
        var logits = nn.functional.normalize(alone, p: 2, dim: 1).matmul(keys.t()) * 4;
        var anchor0 = nn.functional.softplus(logits.narrow(1, 2, 2).logsumexp(1) - logits[0, 1]) / 2;
        anchor0.backward();
        Assert.True(alone.grad!.allclose(embeddings.grad!.narrow(0, 0, 1), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void WithoutAPositiveTheLossIsZeroAndStillInTheGraph()
    {
        var embeddings = tensor(new float[] { 1, 0, 0, 1 }).view(2, 2).requires_grad_();
        var (loss, pairs) = OnlinePairingLoss.Forward(embeddings, tensor(new long[] { 0, 1 }), null, 30);
        Assert.Equal(0, pairs);
        Assert.Equal(0, loss.ToDouble());
        loss.backward();
        Assert.NotNull(embeddings.grad);
    }
}
