using System.Buffers.Binary;
using System.Text;

namespace Cfcd.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of a file's bytes, the kinds that found the reader defects of issue 14: flipped bits, boundary
/// integers written over length and size fields (in both byte orders), numbers in header text replaced by huge or
/// negative ones, cut, repeated or spliced ranges, and tokens of the format inserted.
/// </summary>
internal sealed class ByteMutator(int seed, IReadOnlyList<string> tokens)
{
    private static readonly long[] Boundaries =
    [
        0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, int.MaxValue, int.MinValue, uint.MaxValue, 1L << 31, 1L << 32,
        (1L << 62) + 1, long.MaxValue, long.MinValue, 1_000_000_000_000, 60_000,
    ];

    private static readonly string[] Numbers =
        ["0", "-1", "-8", "4611686018427387905", "99999999999999999999", "1e999", "nan", "2147483648", "60000"];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>
    /// One to four mutations of <paramref name="input"/>; <paramref name="others"/> feed splicing. Tokens are
    /// written as Latin-1, one byte per character, so binary markers can be given as strings.
    /// </summary>
    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> others)
    {
        var data = input.ToList();
        int rounds = 1 + _random.Next(4);
        for (int round = 0; round < rounds; round++)
            MutateOnce(data, others);
        return data.ToArray();
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<byte[]> others)
    {
        if (data.Count == 0)
        {
            data.AddRange(others[_random.Next(others.Count)].Take(64));
            return;
        }
        int position = Position(data);
        switch (_random.Next(9))
        {
            case 0:
                data[position] ^= (byte)(1 << _random.Next(8));
                break;
            case 1:
                data[position] = (byte)Boundaries[_random.Next(Boundaries.Length)];
                break;
            case 2:
                OverwriteInteger(data, position);
                break;
            case 3:
                data.RemoveRange(position, Math.Min(data.Count - position, 1 + _random.Next(64)));
                break;
            case 4:
                int length = Math.Min(data.Count - position, 1 + _random.Next(256));
                data.InsertRange(Position(data), data.GetRange(position, length));
                break;
            case 5:
                data.RemoveRange(position, data.Count - position);
                break;
            case 6:
                var other = others[_random.Next(others.Count)];
                int from = _random.Next(other.Length);
                data.RemoveRange(position, data.Count - position);
                data.AddRange(other.Skip(from));
                break;
            case 7:
                ReplaceNumber(data, position);
                break;
            default:
                if (tokens.Count > 0)
                    data.InsertRange(position, Encoding.Latin1.GetBytes(tokens[_random.Next(tokens.Count)]));
                break;
        }
    }

    private int Position(List<byte> data) =>
        // Headers hold the fields that matter: half the mutations land in the first 256 bytes.
        _random.Next(2) == 0 ? _random.Next(Math.Min(data.Count, 256)) : _random.Next(data.Count);

    private void OverwriteInteger(List<byte> data, int position)
    {
        int size = new[] { 1, 2, 4, 8 }[_random.Next(4)];
        var bytes = new byte[8];
        long value = Boundaries[_random.Next(Boundaries.Length)];
        if (_random.Next(2) == 0)
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        else
            BinaryPrimitives.WriteInt64BigEndian(bytes, value << (8 * (8 - size)));
        for (int i = 0; i < size && position + i < data.Count; i++)
            data[position + i] = bytes[i];
    }

    private void ReplaceNumber(List<byte> data, int position)
    {
        int start = data.FindIndex(position, value => value is >= (byte)'0' and <= (byte)'9');
        if (start < 0)
            return;
        int end = start;
        while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9')
            end++;
        data.RemoveRange(start, end - start);
        data.InsertRange(start, Encoding.ASCII.GetBytes(Numbers[_random.Next(Numbers.Length)]));
    }
}
