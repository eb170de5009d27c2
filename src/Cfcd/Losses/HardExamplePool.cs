using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Losses;

/// <summary>The classes a step's softmax runs over, in ascending order. Why: the loss and MadaCos read the same
/// columns, and a label becomes its position among them.</summary>
internal sealed record ClassPool(long[] Classes)
{
    /// <summary>The classes as an int64 tensor on <paramref name="device"/>.</summary>
    public Tensor Index(Device device) => tensor(Classes, device: device);

    /// <summary>The pool's columns of <paramref name="cosines"/> [B, classes].</summary>
    public Tensor Columns(Tensor cosines) => cosines.index_select(1, Index(cosines.device));

    /// <summary>Each label's position in the pool (every label of the batch is in it).</summary>
    public Tensor Positions(Tensor labels) => searchsorted(Index(labels.device), labels);
}

/// <summary>
/// DC-I-Net's hard-example-priority pool (docs/method.md section 6): the batch's labels, each image's loss.hep.top_k
/// most confusing other classes (highest cosine to the classifier's weights, or to the class centres), then random
/// other classes until the pool holds loss.hep.pool_size. Under several processes the labels and confusing classes of
/// every process are gathered, and the random classes are drawn from (seed, step), so every process, every
/// micro-batch and a resumed run choose the same pool. Why: the softmax spends its gradient on the classes the batch
/// is confused with rather than on tens of thousands of easy ones.
/// </summary>
/// <param name="centers">The class centres when loss.hep.hard_classes is centers; null: the logits.</param>
internal sealed class HardExamplePool(HepConfig hep, long classes, long seed, ClassCenters? centers = null)
{
    /// <summary>Whether MadaCos solves its scale and margin on the pool's columns rather than on all.</summary>
    public bool StatisticsFromPool => hep.Statistics == PoolStatistics.Pool;

    /// <param name="scores">[B, classes] <see cref="Scores"/> of the images; null while no class can be confused.
    /// </param>
    /// <param name="group">The processes whose images make up the batch the pool is for.</param>
    /// <param name="step">The run's 0-based step.</param>
    public ClassPool Choose(Tensor? scores, Tensor labels, IProcessGroup group, long step)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var chosen = labels.cpu();
        int topK = (int)Math.Min(hep.TopK, classes - 1);
        if (topK > 0 && scores is not null)
        {
            var (values, indices) = OtherClasses.Top(scores, labels.unsqueeze(1), topK);
            chosen = cat([chosen, indices.masked_select(values.isfinite()).cpu()], 0);
        }
        var gathered = group.Gather(chosen.to(ScalarType.Float64).data<double>().ToArray()).All;
        var pool = gathered.Select(value => (long)value).ToHashSet();
        FillAtRandom(pool, step);
        return new ClassPool([.. pool.Order()]);
    }

    /// <summary>How close each image is to each class, without gradient: its cosines to the classifier's weights, or
    /// to the class centres (-inf for classes without one; null while none has). Why apart from
    /// <see cref="Choose"/>: the step computes them a micro-batch at a time, as each process computes its own.
    /// </summary>
    /// <param name="embedding">[B, D] the images' embeddings (read for the centres).</param>
    /// <param name="cosines">[B, classes] their cosines to the classifier's weights.</param>
    public Tensor? Scores(Tensor embedding, Tensor cosines)
    {
        return centers is null
            ? cosines.detach()
            : centers.Cosines(nn.functional.normalize(embedding.detach(), p: 2, dim: 1));
    }

    private void FillAtRandom(HashSet<long> pool, long step)
    {
        long size = Math.Min(hep.PoolSize, classes);
        if (size == classes)
        {
            for (long c = 0; c < classes; c++)
                pool.Add(c);
            return;
        }
        var random = SampleRandom.For(seed, step, -3);
        while (pool.Count < size)
            pool.Add(random.Next((int)classes));
    }
}
