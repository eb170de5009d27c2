using System.Text;
using Cfcd.IO;

namespace Cfcd.Data.Synthetic;

/// <summary>What <see cref="SyntheticDataset.Write"/> wrote. Easy, hard and junk count database views of the test
/// scenes.</summary>
public sealed record SyntheticSummary(int Classes, int TrainImages, int ValidationImages, int Queries, int TestScenes,
    int Database,
    int Easy, int Hard, int Junk, int Distractors, long JpegBytes);

/// <summary>
/// Writes a synthetic landmark data set: training and validation views of the training classes with CFCD lists
/// (<c>relative/path.jpg label</c>), and a test set of separate scenes in the revisitop layout (<c>synth/jpg/</c>,
/// <c>synth/gnd_synth.pkl</c>). Every image has its own seeded generator, so the files are the same, byte for
/// byte, for the same options whatever the number of threads rendering them. Files are written atomically.
/// </summary>
public static class SyntheticDataset
{
    public const string TrainList = "train_list.txt";
    public const string ValidationList = "val_list.txt";

    /// <param name="progress">Receives the number of images written so far (of <see
    /// cref="SyntheticOptions.TotalImages"/>).</param>
    /// <exception cref="InputException">Bad options or a folder that cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; images already written stay, the lists are not
    /// written.</exception>
    public static SyntheticSummary Write(string folder, SyntheticOptions options, IProgress<long>? progress = null,
        CancellationToken cancellation = default)
    {
        options.Validate();
        var classes = Enumerable.Range(0, options.Classes)
            .Select(label =>
                SceneGenerator.Generate(SyntheticRandom.For(options.Seed, RandomStream.TrainScene, label, 0))).ToList();
        var train = ClassViews("train", classes, options.TrainPerClass, RandomStream.TrainView, options);
        var validation = ClassViews("val", classes, options.ValidationPerClass, RandomStream.ValidationView, options);
        var test = TestSetPlanner.Plan(options);

        var images = train.Concat(validation).Select(view => view.Image).Concat(test.Images).ToList();
        CreateFolders(folder, images);
        long bytes = Render(folder, images, progress, cancellation);

        AtomicFile.WriteAllBytes(Path.Combine(folder, TrainList), ListText(train));
        AtomicFile.WriteAllBytes(Path.Combine(folder, ValidationList), ListText(validation));
        AtomicFile.WriteAllBytes(Path.Combine(folder, TestSetPlanner.GroundTruthPath),
            PickleWriter.Dump(test.GroundTruth.ToPickle()));
        return new SyntheticSummary(options.Classes, train.Count, validation.Count, options.Queries, options.TestScenes,
            options.Database,
            test.Easy, test.Hard, test.Junk, options.Distractors, bytes);
    }

    /// <summary>Views of every class, class by class: <c>{split}/{class:D3}/{view:D4}.jpg</c>, mostly complete, never
    /// glimpses.</summary>
    private static List<(PlannedImage Image, int Label)> ClassViews(string split, List<Scene> classes, int perClass,
        RandomStream stream, SyntheticOptions options)
    {
        var views = new List<(PlannedImage, int)>();
        for (int label = 0; label < classes.Count; label++)
        {
            for (int index = 0; index < perClass; index++)
            {
                var random = SyntheticRandom.For(options.Seed, stream, label, index);
                var view = ViewSampler.Sample(classes[label], (ViewStrength)random.Weighted(0.35, 0.45, 0.2),
                    options.Size, random);
                views.Add((new PlannedImage($"{split}/{label:D3}/{index:D4}.jpg", classes[label], view), label));
            }
        }
        return views;
    }

    private static void CreateFolders(string folder, List<PlannedImage> images)
    {
        try
        {
            foreach (string relative in images.Select(image => Path.GetDirectoryName(image.RelativePath)!)
                .Append(TestSetPlanner.Name).Distinct())
                Directory.CreateDirectory(Path.Combine(folder, relative));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{folder}: cannot create the data set folders ({error.Message})", error);
        }
    }

    private static long Render(string folder, List<PlannedImage> images, IProgress<long>? progress,
        CancellationToken cancellation)
    {
        long done = 0, bytes = 0;
        Parallel.For(0, images.Count, new ParallelOptions { CancellationToken = cancellation }, index =>
        {
            var image = images[index];
            byte[] jpeg = ViewRenderer.RenderJpeg(image.Scene, image.View);
            AtomicFile.WriteAllBytes(Path.Combine(folder, image.RelativePath), jpeg);
            Interlocked.Add(ref bytes, jpeg.Length);
            progress?.Report(Interlocked.Increment(ref done));
        });
        return bytes;
    }

    private static byte[] ListText(List<(PlannedImage Image, int Label)> views)
    {
        var text = new StringBuilder();
        foreach (var (image, label) in views)
            text.Append(image.RelativePath).Append(' ').Append(label).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
