using static TorchSharp.torch;

namespace Cfcd.Data;

/// <summary>
/// A batch from <see cref="BatchLoader"/>: images [n, 3, S, S] in a pooled buffer, labels [n], the data-set indices.
/// Dispose it to give the buffer back for the next batches.
/// </summary>
internal sealed class Batch : IDisposable
{
    private readonly Action _release;

    internal Batch(Tensor images, Tensor labels, int[] sampleIndices, int skipped, Action release)
    {
        Images = images;
        Labels = labels;
        SampleIndices = sampleIndices;
        Skipped = skipped;
        _release = release;
    }

    public Tensor Images { get; }

    public Tensor Labels { get; }

    /// <summary>Data-set indices of the images, in batch order (unreadable images and their groups left out).</summary>
    public int[] SampleIndices { get; }

    /// <summary>Images of this batch's plan that were left out: unreadable, or in a group with an unreadable
    /// one.</summary>
    public int Skipped { get; }

    public int Count => SampleIndices.Length;

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        _release();
    }
}
