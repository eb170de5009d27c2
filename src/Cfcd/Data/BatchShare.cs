namespace Cfcd.Data;

/// <summary>
/// The consecutive part of every planned batch that one process of a data-parallel run reads, tuples whole: of a
/// batch of G groups, rank r takes groups [G r / N, G (r + 1) / N). Why: the sampler plans the global batch, so a
/// run's batches, and with them its augmentation, do not depend on the number of processes.
/// </summary>
internal sealed record BatchShare(int Rank, int Size, int GroupSize)
{
    public static BatchShare Whole { get; } = new(0, 1, 1);

    /// <summary>Where this share starts in a batch of <paramref name="batchLength"/> images, and how many it
    /// holds.</summary>
    public (int Offset, int Count) Of(int batchLength)
    {
        int groups = (batchLength + GroupSize - 1) / GroupSize;
        int first = (int)((long)groups * Rank / Size), last = (int)((long)groups * (Rank + 1) / Size);
        int offset = Math.Min(first * GroupSize, batchLength);
        return (offset, Math.Min(last * GroupSize, batchLength) - offset);
    }
}
