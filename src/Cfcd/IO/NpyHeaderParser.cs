using System.Globalization;

namespace Cfcd.IO;

/// <summary>
/// Reads the Python dict literal of a .npy header
/// (<c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>)
/// strictly, as numpy's own reader checks it: exactly the three keys, each once, a shape of non-negative integers.
/// A regular expression took the first of two <c>shape</c> keys where numpy takes the last.
/// </summary>
internal sealed class NpyHeaderParser
{
    private static readonly string[] Keys = ["descr", "fortran_order", "shape"];

    private readonly string _text;
    private readonly string _path;
    private int _position;

    private NpyHeaderParser(string text, string path) => (_text, _path) = (text, path);

    /// <summary>The element type name, whether the array is Fortran-ordered, and its shape.</summary>
    public static (string Descr, bool FortranOrder, long[] Shape) Parse(string text, string path)
    {
        var parser = new NpyHeaderParser(text, path);
        var values = parser.ParseDictionary();
        var missing = Keys.Where(key => !values.ContainsKey(key)).ToList();
        var extra = values.Keys.Where(key => !Keys.Contains(key)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw parser.Error($"the header must have exactly the keys descr, fortran_order and shape; " +
                $"missing [{string.Join(", ", missing)}], unexpected [{InputText.Quote(string.Join(", ", extra))}]");
        return (values["descr"] as string ?? throw parser.Error("descr is not a string"),
            values["fortran_order"] as bool? ?? throw parser.Error("fortran_order is not True or False"),
            values["shape"] as long[] ?? throw parser.Error("shape is not a tuple of integers"));
    }

    private Dictionary<string, object> ParseDictionary()
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        Expect('{');
        while (!TryTake('}'))
        {
            string key = ParseString();
            if (values.ContainsKey(key))
                throw Error($"the key '{InputText.Quote(key)}' appears twice");
            Expect(':');
            values[key] = ParseValue();
            if (!TryTake(','))
            {
                Expect('}');
                break;
            }
        }
        SkipSpace();
        if (_position != _text.Length)
            throw Error("text after the closing brace");
        return values;
    }

    private object ParseValue()
    {
        SkipSpace();
        if (_position < _text.Length && _text[_position] is '\'' or '"')
            return ParseString();
        if (TryTake('('))
            return ParseShape();
        if (TryWord("True"))
            return true;
        if (TryWord("False"))
            return false;
        throw Error("expected a string, a tuple, True or False");
    }

    private long[] ParseShape()
    {
        var dimensions = new List<long>();
        while (!TryTake(')'))
        {
            SkipSpace();
            int start = _position;
            while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
                _position++;
            if (!long.TryParse(_text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture,
                    out long dimension))
                throw Error("a shape dimension that is not a non-negative integer within 2^63");
            dimensions.Add(dimension);
            if (!TryTake(','))
            {
                Expect(')');
                break;
            }
        }
        return dimensions.ToArray();
    }

    private string ParseString()
    {
        SkipSpace();
        char quote = _position < _text.Length ? _text[_position] : '\0';
        if (quote is not ('\'' or '"'))
            throw Error("expected a quoted key or string");
        int end = _text.IndexOf(quote, _position + 1);
        if (end < 0 || _text.AsSpan(_position + 1, end - _position - 1).Contains('\\'))
            throw Error("an unterminated or escaped string");
        string value = _text[(_position + 1)..end];
        _position = end + 1;
        return value;
    }

    private bool TryWord(string word)
    {
        if (!_text.AsSpan(_position).StartsWith(word, StringComparison.Ordinal))
            return false;
        _position += word.Length;
        return true;
    }

    private bool TryTake(char expected)
    {
        SkipSpace();
        if (_position >= _text.Length || _text[_position] != expected)
            return false;
        _position++;
        return true;
    }

    private void Expect(char expected)
    {
        if (!TryTake(expected))
            throw Error($"expected '{expected}'");
    }

    private void SkipSpace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
            _position++;
    }

    private InputException Error(string problem) =>
        new($"{_path}: malformed .npy header at character {_position}: {problem} " +
            $"(header: {InputText.Quote(_text.Trim())})");
}
