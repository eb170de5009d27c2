using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using static Cfcd.IO.PickleOpcodes;

namespace Cfcd.IO;

/// <summary>
/// A pickle reader (protocols 2 to 5) for plain data: dict, list, tuple, str, bytes, int, float, bool, None
/// and the memo. It never imports or calls anything. Without a resolver, GLOBAL, REDUCE and any other opcode it
/// does not know are errors naming the offset; with one (<see cref="IPickleResolver"/>), globals, REDUCE, BUILD
/// and persistent ids are handed to it, and it builds only the objects it knows. Values come back as
/// <c>Dictionary&lt;object, object?&gt;</c>, <c>List&lt;object?&gt;</c>, <c>object?[]</c> (tuples),
/// <c>string</c>, <c>byte[]</c>, <c>long</c> (or <c>BigInteger</c>), <c>double</c>, <c>bool</c> and null.
/// </summary>
internal static class PickleReader
{
    // Limits far above any real pickle (a ResNet-101 checkpoint with optimiser state has a few thousand memo entries,
    // batches of 1,000 items and a nesting of a few levels) that keep a hostile one from growing without end.
    private const int MaxStackItems = 1_000_000;
    private const int MaxMarks = 1_000;
    private const int MaxMemoEntries = 1_000_000;

    public static object? Load(string path) => Load(InputFile.ReadAllBytes(path), path);

    /// <summary>Reads one pickle from <paramref name="data"/>; <paramref name="name"/> is what errors call
    /// it.</summary>
    public static object? Load(ReadOnlySpan<byte> data, string name, IPickleResolver? resolver = null) =>
        Load(data, name, resolver, out _);

    /// <summary>Reads the pickle at the start of <paramref name="data"/>; <paramref name="length"/> is how many bytes
    /// it took.</summary>
    public static object? Load(ReadOnlySpan<byte> data, string name, IPickleResolver? resolver, out int length)
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        int position = 0;

        while (true)
        {
            int offset = position;
            if (stack.Count > MaxStackItems)
                throw Error(name, offset, $"more than {MaxStackItems} items on the stack");
            byte opcode = Take(data, ref position, 1, name, offset)[0];
            switch (opcode)
            {
                case Proto:
                    byte protocol = Take(data, ref position, 1, name, offset)[0];
                    if (protocol is < 2 or > 5)
                        throw Error(name, offset, $"pickle protocol {protocol} is not supported (2 to 5 are)");
                    break;
                case Frame:
                    Take(data, ref position, 8, name, offset);
                    break;
                case Stop:
                    if (stack.Count != 1 || marks.Count != 0)
                        throw Error(name, offset, "STOP with an unbalanced stack");
                    length = position;
                    return stack[0];
                case Mark:
                    if (marks.Count == MaxMarks)
                        throw Error(name, offset, $"MARKs nested more than {MaxMarks} deep");
                    marks.Push(stack.Count);
                    break;
                case EmptyDict:
                    stack.Add(new Dictionary<object, object?>());
                    break;
                case EmptyList:
                    stack.Add(new List<object?>());
                    break;
                case EmptyTuple:
                    stack.Add(Array.Empty<object?>());
                    break;
                case None:
                    stack.Add(null);
                    break;
                case NewTrue:
                    stack.Add(true);
                    break;
                case NewFalse:
                    stack.Add(false);
                    break;
                case BinInt:
                    stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(data, ref position, 4, name, offset)));
                    break;
                case BinInt1:
                    stack.Add((long)Take(data, ref position, 1, name, offset)[0]);
                    break;
                case BinInt2:
                    stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(data, ref position, 2, name, offset)));
                    break;
                case Long1:
                    var bytes = Take(data, ref position, Take(data, ref position, 1, name, offset)[0], name, offset);
                    var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
                    stack.Add(big >= long.MinValue && big <= long.MaxValue ? (object)(long)big : big);
                    break;
                case BinFloat:
                    stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(data, ref position, 8, name, offset)));
                    break;
                case ShortBinUnicode:
                    stack.Add(Utf8(Take(data, ref position, Take(data, ref position, 1, name, offset)[0], name, offset),
                        name, offset));
                    break;
                case BinUnicode:
                    stack.Add(Utf8(Take(data, ref position, Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(data,
                        ref position, 4, name, offset)), name, offset), name, offset), name, offset));
                    break;
                case BinUnicode8:
                    stack.Add(Utf8(Take(data, ref position, Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(data,
                        ref position, 8, name, offset)), name, offset), name, offset), name, offset));
                    break;
                case ShortBinBytes:
                    stack.Add(Take(data, ref position, Take(data, ref position, 1, name, offset)[0], name, offset)
                        .ToArray());
                    break;
                case BinBytes:
                    stack.Add(Take(data, ref position, Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(data,
                        ref position, 4, name, offset)), name, offset), name, offset).ToArray());
                    break;
                case Append:
                    Pop(stack, name, offset, out object? item);
                    AsList(Top(stack, name, offset), name, offset).Add(item);
                    break;
                case Appends:
                    var items = PopToMark(stack, marks, name, offset);
                    AsList(Top(stack, name, offset), name, offset).AddRange(items);
                    break;
                case SetItem:
                    Pop(stack, name, offset, out object? value);
                    Pop(stack, name, offset, out object? key);
                    AsDict(Top(stack, name, offset), name, offset)[Key(key, name, offset)] = value;
                    break;
                case SetItems:
                    var pairs = PopToMark(stack, marks, name, offset);
                    if (pairs.Count % 2 != 0)
                        throw Error(name, offset, "SETITEMS with an odd number of items");
                    var dict = AsDict(Top(stack, name, offset), name, offset);
                    for (int i = 0; i < pairs.Count; i += 2)
                        dict[Key(pairs[i], name, offset)] = pairs[i + 1];
                    break;
                case MarkTuple:
                    stack.Add(PopToMark(stack, marks, name, offset).ToArray());
                    break;
                case Tuple1:
                case Tuple2:
                case Tuple3:
                    int count = opcode - Tuple1 + 1;
                    if (stack.Count < count)
                        throw Error(name, offset, "TUPLE on a stack too short");
                    var tuple = stack.GetRange(stack.Count - count, count).ToArray();
                    stack.RemoveRange(stack.Count - count, count);
                    stack.Add(tuple);
                    break;
                case BinPut:
                    byte shortKey = Take(data, ref position, 1, name, offset)[0];
                    Remember(memo, shortKey, Top(stack, name, offset), name, offset);
                    break;
                case LongBinPut:
                    long memoKey = BinaryPrimitives.ReadUInt32LittleEndian(Take(data, ref position, 4, name, offset));
                    Remember(memo, memoKey, Top(stack, name, offset), name, offset);
                    break;
                case Memoize:
                    Remember(memo, memo.Count, Top(stack, name, offset), name, offset);
                    break;
                case BinGet:
                    stack.Add(Recall(memo, Take(data, ref position, 1, name, offset)[0], name, offset));
                    break;
                case LongBinGet:
                    stack.Add(Recall(memo, BinaryPrimitives.ReadUInt32LittleEndian(Take(data, ref position, 4, name,
                        offset)), name, offset));
                    break;
                case Global when resolver is not null:
                    string module = Line(data, ref position, name, offset);
                    string qualified = Line(data, ref position, name, offset);
                    stack.Add(Resolve(() => resolver.ResolveGlobal(module, qualified), name, offset));
                    break;
                case StackGlobal when resolver is not null:
                    Pop(stack, name, offset, out object? globalName);
                    Pop(stack, name, offset, out object? globalModule);
                    if (globalModule is not string moduleName || globalName is not string qualifiedName)
                        throw Error(name, offset, "STACK_GLOBAL without two strings");
                    stack.Add(Resolve(() => resolver.ResolveGlobal(moduleName, qualifiedName), name, offset));
                    break;
                case Reduce when resolver is not null:
                    Pop(stack, name, offset, out object? arguments);
                    Pop(stack, name, offset, out object? callable);
                    if (arguments is not object?[] argumentTuple || callable is null)
                        throw Error(name, offset, "REDUCE without a callable and an argument tuple");
                    stack.Add(Resolve(() => resolver.Reduce(callable, argumentTuple), name, offset));
                    break;
                case Build when resolver is not null:
                    Pop(stack, name, offset, out object? state);
                    Pop(stack, name, offset, out object? target);
                    stack.Add(Resolve(() => resolver.Build(target, state), name, offset));
                    break;
                case BinPersId when resolver is not null:
                    Pop(stack, name, offset, out object? persistentId);
                    stack.Add(Resolve(() => resolver.PersistentLoad(persistentId), name, offset));
                    break;
                case Global:
                case StackGlobal:
                    throw Error(name, offset,
                        $"refusing opcode {Describe(opcode)}: a pickle that imports globals can run code; only plain " +
                        "data is read");
                default:
                    throw Error(name, offset,
                        $"unsupported opcode {Describe(opcode)}; only plain data (dict, list, tuple, str, int, " +
                        "float, bool, None) is read");
            }
        }
    }

    private static object? Resolve(Func<object?> resolve, string name, int offset)
    {
        try
        {
            return resolve();
        }
        catch (InvalidDataException refusal)
        {
            throw Error(name, offset, refusal.Message);
        }
    }

    private static string Line(ReadOnlySpan<byte> data, ref int position, string name, int offset)
    {
        int end = data[position..].IndexOf((byte)'\n');
        if (end < 0)
            throw Error(name, offset, "truncated: a GLOBAL name has no end of line");
        string text = Encoding.ASCII.GetString(data.Slice(position, end));
        position += end + 1;
        return text;
    }

    private static string Describe(byte opcode) =>
        opcode is >= 0x20 and < 0x7f ? $"0x{opcode:x2} ('{(char)opcode}')" : $"0x{opcode:x2}";

    private static InputException Error(string name, int offset, string problem) =>
        new($"{name}: pickle offset {offset}: {problem}");

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> data, ref int position, int count, string name,
        int offset)
    {
        if (count > data.Length - position)
            throw Error(name, offset,
                $"truncated: needs {count} more bytes at offset {position}, the data ends at {data.Length}");
        var slice = data.Slice(position, count);
        position += count;
        return slice;
    }

    private static int Length(ulong length, string name, int offset) =>
        length <= int.MaxValue ? (int)length : throw Error(name, offset, $"length {length} is too large");

    private static string Utf8(ReadOnlySpan<byte> bytes, string name, int offset)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error(name, offset, "a string is not valid UTF-8");
        }
    }

    private static object? Top(List<object?> stack, string name, int offset) =>
        stack.Count > 0 ? stack[^1] : throw Error(name, offset, "the stack is empty");

    private static void Pop(List<object?> stack, string name, int offset, out object? value)
    {
        value = Top(stack, name, offset);
        stack.RemoveAt(stack.Count - 1);
    }

    private static List<object?> PopToMark(List<object?> stack, Stack<int> marks, string name, int offset)
    {
        if (marks.Count == 0)
            throw Error(name, offset, "no MARK before this opcode");
        int mark = marks.Pop();
        if (mark > stack.Count)
            throw Error(name, offset, "the stack was popped below its MARK");
        var items = stack.GetRange(mark, stack.Count - mark);
        stack.RemoveRange(mark, stack.Count - mark);
        return items;
    }

    private static void Remember(Dictionary<long, object?> memo, long key, object? value, string name, int offset)
    {
        memo[key] = value;
        if (memo.Count > MaxMemoEntries)
            throw Error(name, offset, $"more than {MaxMemoEntries} memo entries");
    }

    private static object? Recall(Dictionary<long, object?> memo, long key, string name, int offset) =>
        memo.TryGetValue(key, out object? value) ? value
            : throw Error(name, offset, $"memo key {key} was never stored");

    private static List<object?> AsList(object? target, string name, int offset) =>
        target as List<object?> ?? throw Error(name, offset, "APPEND to something that is not a list");

    private static Dictionary<object, object?> AsDict(object? target, string name, int offset) =>
        target as Dictionary<object, object?> ?? throw Error(name, offset, "SETITEM on something that is not a dict");

    private static object Key(object? key, string name, int offset) => key switch
    {
        string or long or double or bool or BigInteger => key,
        _ => throw Error(name, offset, $"dict key of type {key?.GetType().Name ?? "None"} is not supported"),
    };
}
