using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Data;

/// <summary>How a <see cref="BatchLoader"/> runs.</summary>
/// <param name="Workers">Decode threads.</param>
/// <param name="Prefetch">Batches prepared ahead of the consumer (and buffers in the pool, plus two).</param>
/// <param name="MaxFailureRate">Fraction of unreadable images per epoch above which the epoch stops with an
/// error.</param>
/// <param name="GroupSize">Images that stand or fall together (a tuple); an unreadable image drops its whole
/// group.</param>
/// <param name="MaxImagePixels">The most pixels an image may decode into (data.max_image_pixels).</param>
internal sealed record LoaderOptions(int Workers, int Prefetch, double MaxFailureRate, int GroupSize = 1,
    long MaxImagePixels = PixelLimit.DefaultPixels);

/// <summary>What one epoch read.</summary>
internal sealed record EpochReadStats(int Images, int Failed, IReadOnlyList<string> Failures);

/// <summary>
/// Loads planned batches with worker threads: each batch is decoded and transformed by one worker straight into a
/// pooled tensor (pinned when CUDA is present), batches come back in plan order, at most <c>Prefetch</c> ahead.
/// Augmentation is drawn from (seed, epoch, position in the epoch), so the result does not depend on the number of
/// workers. Unreadable images are skipped with a warning and counted; too many stop the epoch.
/// </summary>
internal sealed class BatchLoader(IReadOnlyList<ImageSample> samples, IImageTransform transform, LoaderOptions options,
    long seed, ILogger logger)
{
    private sealed class Job(int index, int firstPosition, int[] plan, Tensor buffer, long[] labels)
    {
        public int Index { get; } = index;
        public int FirstPosition { get; } = firstPosition;
        public int[] Plan { get; } = plan;
        public Tensor Buffer { get; } = buffer;
        public long[] Labels { get; } = labels;
        public List<int> Loaded { get; } = new();
        public List<string> Failures { get; } = new();
        public Exception? Error { get; set; }
        public ManualResetEventSlim Done { get; } = new();
    }

    private readonly ConcurrentBag<(Tensor Buffer, long[] Labels)> _pool = new();
    private int _buffers;

    /// <summary>What the last finished epoch read.</summary>
    public EpochReadStats? LastEpoch { get; private set; }

    /// <summary>
    /// The batches of one epoch, in the order of <paramref name="plan"/> (data-set indices per batch), from batch
    /// <paramref name="firstBatch"/> on (a resumed epoch: the batches are the ones an uninterrupted epoch would give).
    /// </summary>
    /// <param name="share">The part of each batch this process reads (a data-parallel run); null: all of it. The
    /// augmentation of an image depends on its position in the whole plan, not on the share.</param>
    public IEnumerable<Batch> Epoch(int epoch, IReadOnlyList<int[]> plan, CancellationToken cancellation,
        int firstBatch = 0, BatchShare? share = null)
    {
        share ??= BatchShare.Whole;
        int total = plan.Skip(firstBatch).Sum(batch => share.Of(batch.Length).Count);
        int largest = plan.Count == 0 ? 0 : plan.Max(batch => share.Of(batch.Length).Count);
        var jobs = new Job[plan.Count];
        using var queue = new BlockingCollection<Job>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var workers = Enumerable.Range(0, Math.Max(1, options.Workers))
            .Select(_ => new Thread(() => Work(queue, epoch, stop.Token))
        {
            IsBackground = true,
            Name = "cfcd-loader",
        }).ToList();
        workers.ForEach(worker => worker.Start());
        int submitted = firstBatch, position = plan.Take(firstBatch).Sum(batch => batch.Length), failed = 0, read = 0;
        var failures = new List<string>();
        try
        {
            for (int next = firstBatch; next < plan.Count; next++)
            {
                while (submitted < plan.Count && submitted <= next + options.Prefetch)
                {
                    var (buffer, labels) = TakeBuffer(largest, cancellation);
                    var (offset, count) = share.Of(plan[submitted].Length);
                    jobs[submitted] = new Job(submitted, position + offset, plan[submitted][offset..(offset + count)],
                        buffer, labels);
                    position += plan[submitted].Length;
                    queue.Add(jobs[submitted++], cancellation);
                }
                var job = jobs[next];
                job.Done.Wait(cancellation);
                if (job.Error is not null)
                    throw job.Error;
                read += job.Plan.Length;
                failed += job.Failures.Count;
                foreach (var failure in job.Failures)
                {
                    logger.LogWarning("skipped an unreadable image: {Problem}", failure);
                    if (failures.Count < 100)
                        failures.Add(failure);
                }
                if (failed > options.MaxFailureRate * total)
                    throw new InputException($"{failed} of {total} images of epoch {epoch} could not be read, over " +
                                             $"max_failure_rate {options.MaxFailureRate}; the first: {failures[0]}");
                // From here the batch owns the buffer and gives it back when disposed.
                jobs[next] = null!;
                yield return Finish(job);
            }
            LastEpoch = new EpochReadStats(read, failed, failures);
        }
        finally
        {
            queue.CompleteAdding();
            stop.Cancel();
            workers.ForEach(worker => worker.Join());
            foreach (var unfinished in jobs.Where(job => job is not null))
                _pool.Add((unfinished.Buffer, unfinished.Labels));
        }
    }

    private Batch Finish(Job job)
    {
        int count = job.Loaded.Count;
        var images = job.Buffer.narrow(0, 0, count);
        var labels = tensor(job.Labels.AsSpan(0, count).ToArray());
        return new Batch(images, labels, [.. job.Loaded], job.Plan.Length - count,
            () => _pool.Add((job.Buffer, job.Labels)));
    }

    private (Tensor, long[]) TakeBuffer(int batchSize, CancellationToken cancellation)
    {
        while (true)
        {
            if (_pool.TryTake(out var pooled))
            {
                if (pooled.Buffer.shape[0] >= batchSize)
                    return pooled;
                pooled.Buffer.Dispose();
                Interlocked.Decrement(ref _buffers);
            }
            if (Volatile.Read(ref _buffers) < options.Prefetch + 2)
            {
                Interlocked.Increment(ref _buffers);
                var buffer = empty([batchSize, 3, transform.Size, transform.Size]);
                if (cuda.is_available())
                {
                    var pinned = buffer.pin_memory();
                    buffer.Dispose();
                    buffer = pinned;
                }
                return (buffer, new long[batchSize]);
            }
            cancellation.ThrowIfCancellationRequested();
            Thread.Sleep(1);
        }
    }

    private void Work(BlockingCollection<Job> queue, int epoch, CancellationToken stop)
    {
        using var reader = new ImageReader(new PixelLimit(options.MaxImagePixels, "data.max_image_pixels"));
        try
        {
            foreach (var job in queue.GetConsumingEnumerable(stop))
            {
                try
                {
                    Fill(job, reader, epoch, stop);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    job.Error = error;
                }
                job.Done.Set();
            }
        }
        catch (OperationCanceledException)
        {
            // The epoch ended early (cancelled, or the consumer stopped); nothing to finish.
        }
    }

    private void Fill(Job job, ImageReader reader, int epoch, CancellationToken stop)
    {
        int sampleSize = 3 * transform.Size * transform.Size;
        var destination = MemoryMarshal.Cast<byte, float>(job.Buffer.bytes);
        int group = Math.Max(1, options.GroupSize);
        for (int start = 0; start < job.Plan.Length; start += group)
        {
            int groupStart = job.Loaded.Count;
            for (int offset = start; offset < Math.Min(start + group, job.Plan.Length); offset++)
            {
                stop.ThrowIfCancellationRequested();
                int index = job.Plan[offset];
                var random = SampleRandom.For(seed, epoch, job.FirstPosition + offset);
                try
                {
                    using var image = ImageReader.Open(samples[index].Path);
                    transform.Apply(image, reader, ref random,
                        destination.Slice(job.Loaded.Count * sampleSize, sampleSize));
                }
                catch (InputException unreadable)
                {
                    job.Failures.Add(unreadable.Message);
                    job.Loaded.RemoveRange(groupStart, job.Loaded.Count - groupStart);
                    break;
                }
                job.Labels[job.Loaded.Count] = samples[index].Label;
                job.Loaded.Add(index);
            }
        }
    }
}
