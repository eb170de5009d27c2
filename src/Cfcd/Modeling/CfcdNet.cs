using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Modeling;

/// <summary>
/// The CFCD network: ResNet backbone, GeM + FC + BN head and, for training, the cosine classifier.
/// <see cref="forward"/> is what is deployed: the L2-normalised descriptor. State-dict names are
/// <c>backbone.*</c> (torchvision), <c>head.fc.*</c>, <c>head.bn.*</c> and <c>classifier.weight</c>.
/// </summary>
public sealed class CfcdNet : nn.Module<Tensor, Tensor>
{
    private readonly ResNet backbone;
    private readonly CfcdHead head;
    private readonly CosineClassifier? classifier;

    public CfcdNet(NetworkSpec spec, bool zeroInitLastNorm = false) : base(nameof(CfcdNet))
    {
        Spec = spec;
        backbone = new ResNet(spec.Layout, zeroInitLastNorm);
        head = new CfcdHead(spec.Layout.OutputChannels, spec.DescriptorDim, spec.GemP, spec.GemLearnable);
        if (spec.Classes > 0)
            classifier = new CosineClassifier(spec.Classes, spec.DescriptorDim);
        RegisterComponents();
    }

    public NetworkSpec Spec { get; }

    public ResNet Backbone => backbone;

    public CosineClassifier Classifier =>
        classifier ?? throw new InvalidOperationException("this network was built without a classifier (classes = 0)");

    /// <summary>Training: every BatchNorm normalises groups of this many images on their own (ghost batch norm); 0: the
    /// whole batch.</summary>
    public void SetGhostBatchSize(int images)
    {
        foreach (var norm in modules().OfType<GhostBatchNorm>())
            norm.GhostSize = images;
    }

    /// <summary>
    /// Until disposed, training-mode passes treat the BatchNorm running statistics as <paramref name="mode"/> says;
    /// disposing commits what was accumulated and returns to <see cref="NormStatistics.Update"/>.
    /// </summary>
    public IDisposable UseNormStatistics(NormStatistics mode)
    {
        var norms = modules().OfType<GhostBatchNorm>().ToList();
        norms.ForEach(norm => norm.Statistics = mode);
        return new NormStatisticsScope(norms);
    }

    /// <summary>Images [B, 3, H, W] to unit-length descriptors [B, D].</summary>
    public override Tensor forward(Tensor images)
    {
        var (embedding, _) = Embed(images, keepRes4: false);
        using (embedding)
            return nn.functional.normalize(embedding, p: 2, dim: 1);
    }

    /// <summary>The head's embedding before normalisation and, when asked, res4 for the local loss.</summary>
    public (Tensor Embedding, Tensor? Res4) Embed(Tensor images, bool keepRes4)
    {
        var res4 = backbone.forward(images);
        var embedding = head.forward(res4);
        if (keepRes4)
            return (embedding, res4);
        res4.Dispose();
        return (embedding, null);
    }

    private sealed class NormStatisticsScope(List<GhostBatchNorm> norms) : IDisposable
    {
        public void Dispose() => norms.ForEach(norm =>
        {
            norm.Commit();
            norm.Statistics = NormStatistics.Update;
        });
    }
}
