using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Modeling;

/// <summary>
/// The classifier of MadaCos and the other margin losses: a weight W (classes x D, no bias); the logits are the
/// cosines between L2-normalised embeddings and L2-normalised rows of W. Initialised U(-1/sqrt(D), 1/sqrt(D)).
/// </summary>
public sealed class CosineClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    public CosineClassifier(long classes, long descriptorDim) : base(nameof(CosineClassifier))
    {
        double bound = 1.0 / Math.Sqrt(descriptorDim);
        weight = new Parameter(empty(classes, descriptorDim));
        using (no_grad())
            nn.init.uniform_(weight, -bound, bound);
        RegisterComponents();
    }

    public long Classes => weight.shape[0];

    /// <summary>Embeddings [B, D] to cosines [B, classes].</summary>
    public override Tensor forward(Tensor embeddings)
    {
        using var unitEmbeddings = nn.functional.normalize(embeddings, p: 2, dim: 1);
        using var unitWeights = nn.functional.normalize(weight, p: 2, dim: 1);
        return unitEmbeddings.matmul(unitWeights.t());
    }

    /// <summary>Embeddings [B, D] to the cosines [B, n] of the <paramref name="classes"/> [n] only: the backward
    /// pass then touches those rows of W alone (DC-I-Net's HEP pool).</summary>
    public Tensor Columns(Tensor embeddings, Tensor classes)
    {
        using var unitEmbeddings = nn.functional.normalize(embeddings, p: 2, dim: 1);
        using var rows = weight.index_select(0, classes);
        using var unitWeights = nn.functional.normalize(rows, p: 2, dim: 1);
        return unitEmbeddings.matmul(unitWeights.t());
    }
}
