namespace Cfcd.Data;

/// <summary>A set of small integers with O(1) add, remove, contains and uniform random pick.</summary>
internal sealed class IndexedSet
{
    private readonly List<int> _items = new();
    private readonly int[] _positions;

    public IndexedSet(int capacity) => _positions = Enumerable.Repeat(-1, capacity).ToArray();

    public int Count => _items.Count;

    /// <summary>Whether it holds <paramref name="item"/> (false for one past its capacity).</summary>
    public bool Contains(int item) => item < _positions.Length && _positions[item] >= 0;

    public void Add(int item)
    {
        if (Contains(item))
            return;
        _positions[item] = _items.Count;
        _items.Add(item);
    }

    public void Remove(int item)
    {
        int position = _positions[item];
        if (position < 0)
            return;
        int last = _items[^1];
        _items[position] = last;
        _positions[last] = position;
        _items.RemoveAt(_items.Count - 1);
        _positions[item] = -1;
    }

    public int Pick(ref SampleRandom random) => _items[random.Next(_items.Count)];

    /// <summary>A uniform pick among the items not in <paramref name="excluded"/> (a few), or null if there is
    /// none.</summary>
    public int? PickExcept(ref SampleRandom random, IReadOnlySet<int> excluded)
    {
        for (int attempt = 0; attempt < 32; attempt++)
        {
            int candidate = Pick(ref random);
            if (!excluded.Contains(candidate))
                return candidate;
        }
        var rest = _items.Where(item => !excluded.Contains(item)).ToList();
        return rest.Count == 0 ? null : rest[random.Next(rest.Count)];
    }
}
