using System.Buffers.Binary;
using System.Collections;
using System.Text;
using static Cfcd.IO.PickleOpcodes;

namespace Cfcd.IO;

/// <summary>
/// Writes plain data as a protocol-3 pickle, the form of the official revisitop ground-truth files:
/// dictionaries with string or integer keys, lists, tuples (<c>object?[]</c>), strings, integers,
/// floats, booleans and null. Python's <c>pickle.load</c> reads the result.
/// </summary>
internal static class PickleWriter
{
    private const int Batch = 1000; // pickle.py batches APPENDS / SETITEMS the same way

    public static byte[] Dump(object? value)
    {
        using var stream = new MemoryStream();
        stream.WriteByte(Proto);
        stream.WriteByte(3);
        Write(stream, value);
        stream.WriteByte(Stop);
        return stream.ToArray();
    }

    private static void Write(Stream stream, object? value)
    {
        switch (value)
        {
            case null:
                stream.WriteByte(None);
                break;
            case bool flag:
                stream.WriteByte(flag ? NewTrue : NewFalse);
                break;
            case int or long:
                WriteInteger(stream, Convert.ToInt64(value));
                break;
            case float or double:
                Span<byte> number = stackalloc byte[9];
                number[0] = BinFloat;
                BinaryPrimitives.WriteDoubleBigEndian(number[1..], Convert.ToDouble(value));
                stream.Write(number);
                break;
            case string text:
                byte[] utf8 = Encoding.UTF8.GetBytes(text);
                Span<byte> header = stackalloc byte[5];
                header[0] = BinUnicode;
                BinaryPrimitives.WriteInt32LittleEndian(header[1..], utf8.Length);
                stream.Write(header);
                stream.Write(utf8);
                break;
            case object?[] tuple:
                stream.WriteByte(Mark);
                foreach (object? item in tuple)
                    Write(stream, item);
                stream.WriteByte(MarkTuple);
                break;
            case IDictionary dictionary:
                stream.WriteByte(EmptyDict);
                WriteBatched(stream, Entries(dictionary), SetItems, entry =>
                {
                    Write(stream, entry.Key);
                    Write(stream, entry.Value);
                });
                break;
            case IEnumerable items:
                stream.WriteByte(EmptyList);
                WriteBatched(stream, items.Cast<object?>().ToList(), Appends, item => Write(stream, item));
                break;
            default:
                throw new ArgumentException($"cannot pickle a value of type {value.GetType()}");
        }
    }

    // IDictionary's enumerator yields DictionaryEntry only through IDictionaryEnumerator.Entry.
    private static List<DictionaryEntry> Entries(IDictionary dictionary)
    {
        var entries = new List<DictionaryEntry>(dictionary.Count);
        var enumerator = dictionary.GetEnumerator();
        while (enumerator.MoveNext())
            entries.Add(enumerator.Entry);
        return entries;
    }

    private static void WriteBatched<T>(Stream stream, List<T> items, byte closing, Action<T> writeItem)
    {
        for (int start = 0; start < items.Count; start += Batch)
        {
            stream.WriteByte(Mark);
            for (int i = start; i < Math.Min(items.Count, start + Batch); i++)
                writeItem(items[i]);
            stream.WriteByte(closing);
        }
    }

    private static void WriteInteger(Stream stream, long value)
    {
        if (value is >= 0 and <= byte.MaxValue)
        {
            stream.WriteByte(BinInt1);
            stream.WriteByte((byte)value);
        }
        else if (value is >= 0 and <= ushort.MaxValue)
        {
            stream.WriteByte(BinInt2);
            stream.WriteByte((byte)value);
            stream.WriteByte((byte)(value >> 8));
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            Span<byte> bytes = stackalloc byte[5];
            bytes[0] = BinInt;
            BinaryPrimitives.WriteInt32LittleEndian(bytes[1..], (int)value);
            stream.Write(bytes);
        }
        else
        {
            Span<byte> bytes = stackalloc byte[10];
            bytes[0] = Long1;
            bytes[1] = 8;
            BinaryPrimitives.WriteInt64LittleEndian(bytes[2..], value);
            stream.Write(bytes);
        }
    }
}
