using Cfcd.Retrieval;

namespace Cfcd.Data.Synthetic;

/// <summary>An image to render: its path under the data set folder (forward slashes), its scene and its view.</summary>
public sealed record PlannedImage(string RelativePath, Scene Scene, ViewSpec View);

/// <summary>The revisited-layout test set before rendering: its images (queries, then database) and ground
/// truth.</summary>
public sealed record TestSetPlan(IReadOnlyList<PlannedImage> Images, GroundTruth GroundTruth, int Easy, int Hard,
    int Junk);

/// <summary>
/// Plans the test set: test scenes of their own (never training classes), two queries per scene (clear, frontal,
/// the whole structure in sight, <c>bbx</c> around it), database views of the query scenes labelled by what they
/// show (<see cref="ViewLabels"/>), and distractors: single views of further unrelated scenes. The first database
/// view of every scene is an easy one, so every query has a positive. The database order is shuffled.
/// </summary>
public static class TestSetPlanner
{
    public const string Name = "synth";
    public const string ImageFolder = Name + "/jpg";
    public const string GroundTruthPath = Name + "/gnd_" + Name + ".pkl";

    private const double QueryVisibleFrom = 0.95;
    private const int MaxAttempts = 200;

    /// <summary>A database image; distractors have no test scene (-1) and no label.</summary>
    private sealed record DatabaseView(Scene Scene, ViewSpec View, int TestScene, ViewLabel? Label);

    public static TestSetPlan Plan(SyntheticOptions options)
    {
        int seed = options.Seed, size = options.Size;
        var scenes = Enumerable.Range(0, options.TestScenes)
            .Select(scene => SceneGenerator.Generate(SyntheticRandom.For(seed, RandomStream.TestScene, scene, 0)))
                .ToList();

        var queries = Enumerable.Range(0, options.Queries).Select(query =>
        {
            var scene = scenes[query % scenes.Count];
            return FirstAccepted(attempt => ViewSampler.Sample(scene, ViewStrength.Mild, size,
                SyntheticRandom.For(seed, RandomStream.QueryView, query, attempt), clearView: true),
                view => StructureVisibility.VisibleFraction(scene, view) >= QueryVisibleFrom);
        }).ToList();

        var database = new List<DatabaseView>();
        for (int index = 0; index < options.Positives; index++)
        {
            int sceneIndex = index % scenes.Count;
            var scene = scenes[sceneIndex];
            ViewSpec view;
            if (index < scenes.Count)
            {
                int first = index;
                view = FirstAccepted(attempt => ViewSampler.Sample(scene, ViewStrength.Mild, size,
                    SyntheticRandom.For(seed, RandomStream.DatabaseView, first, attempt)),
                    candidate => Label(scene, candidate) == ViewLabel.Easy);
            }
            else
            {
                var random = SyntheticRandom.For(seed, RandomStream.DatabaseView, index, 0);
                view = ViewSampler.Sample(scene, (ViewStrength)random.Weighted(0.25, 0.2, 0.4, 0.15), size, random);
            }
            database.Add(new DatabaseView(scene, view, sceneIndex, Label(scene, view)));
        }
        for (int index = 0; index < options.Distractors; index++)
        {
            var scene = SceneGenerator.Generate(SyntheticRandom.For(seed, RandomStream.DistractorScene, index, 0));
            var random = SyntheticRandom.For(seed, RandomStream.DistractorView, index, 0);
            database.Add(new DatabaseView(scene, ViewSampler.Sample(scene, (ViewStrength)random.Next(3), size, random),
                -1, null));
        }
        Shuffle(database, SyntheticRandom.For(seed, RandomStream.DatabaseOrder, 0, 0));

        var queryNames = Enumerable.Range(0, queries.Count).Select(query => $"query_{query:D3}").ToList();
        var databaseNames = Enumerable.Range(0, database.Count).Select(index => $"db_{index:D4}").ToList();
        var groundTruth = new GroundTruth(queryNames, databaseNames, queries.Select((view, query) =>
        {
            int sceneIndex = query % scenes.Count;
            var box = StructureVisibility.StructureBox(scenes[sceneIndex], view);
            return new QueryGroundTruth([box.Left, box.Top, box.Right, box.Bottom],
                Positions(database, sceneIndex, ViewLabel.Easy), Positions(database, sceneIndex, ViewLabel.Hard),
                    Positions(database, sceneIndex, ViewLabel.Junk));
        }).ToList());

        var images = queries.Select((view, query) =>
            new PlannedImage($"{ImageFolder}/{queryNames[query]}.jpg", scenes[query % scenes.Count], view))
            .Concat(database.Select((entry, index) =>
                new PlannedImage($"{ImageFolder}/{databaseNames[index]}.jpg", entry.Scene, entry.View)))
            .ToList();
        return new TestSetPlan(images, groundTruth, database.Count(entry => entry.Label == ViewLabel.Easy),
            database.Count(entry => entry.Label == ViewLabel.Hard),
                database.Count(entry => entry.Label == ViewLabel.Junk));
    }

    private static ViewLabel Label(Scene scene, ViewSpec view) =>
        ViewLabels.Classify(StructureVisibility.VisibleFraction(scene, view), view.StrongChange);

    private static int[] Positions(List<DatabaseView> database, int testScene, ViewLabel label) =>
        Enumerable.Range(0, database.Count)
            .Where(index => database[index].TestScene == testScene && database[index].Label == label).ToArray();

    /// <summary>The first of a series of seeded draws that passes a test (a query or an easy view must show the
    /// structure).</summary>
    private static ViewSpec FirstAccepted(Func<int, ViewSpec> draw, Func<ViewSpec, bool> accept)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var view = draw(attempt);
            if (accept(view))
                return view;
        }
        throw new InvalidOperationException($"no acceptable view in {MaxAttempts} draws");
    }

    private static void Shuffle<T>(List<T> items, SyntheticRandom random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
