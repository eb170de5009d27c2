using System.Globalization;
using System.Text;

namespace Cfcd;

/// <summary>
/// File content quoted in an error message: a hostile file's names and values may be huge or hold control bytes,
/// and the message must stay one short, printable line.
/// </summary>
public static class InputText
{
    /// <summary>
    /// <paramref name="value"/> with control and other non-printable characters written as <c>\xNN</c> or
    /// <c>\uNNNN</c>; longer than <paramref name="limit"/> characters, it is cut with "..." and its total length.
    /// </summary>
    public static string Quote(string value, int limit = 80)
    {
        int keep = value.Length <= limit ? value.Length : limit;
        if (keep < value.Length && keep > 0 && char.IsHighSurrogate(value[keep - 1]))
            keep--;
        var quoted = new StringBuilder(keep + 16);
        for (int i = 0; i < keep; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < keep && char.IsLowSurrogate(value[i + 1]))
                quoted.Append(c).Append(value[++i]);
            else if (IsPrintable(c))
                quoted.Append(c);
            else
                quoted.Append(c < 0x100 ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
        }
        if (keep < value.Length)
            quoted.Append(CultureInfo.InvariantCulture, $"... ({value.Length} characters)");
        return quoted.ToString();
    }

    private static bool IsPrintable(char c) => char.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator => false,
        _ => true,
    };
}
