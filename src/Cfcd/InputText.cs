using System.Globalization;
using System.Text;

namespace Cfcd;

/// <summary>
/// Quotes text taken from a user's file in an error message: a hostile file's bytes must not split the one-line
/// message (control characters) or flood the terminal (a 90 MB key), so they are escaped and cut.
/// </summary>
public static class InputText
{
    /// <summary>
    /// <paramref name="value"/> with control and other non-printable characters written as \xNN or \uNNNN and, when
    /// longer than <paramref name="limit"/>, cut with "..." and the total length: <c>abc... (90000000 characters)</c>.
    /// </summary>
    public static string Quote(string value, int limit = 80)
    {
        var text = new StringBuilder(Math.Min(value.Length, limit) + 32);
        foreach (char character in value.Length > limit ? value[..limit] : value)
            text.Append(Printable(character) ? character.ToString() : Escape(character));
        if (value.Length > limit)
            text.Append($"... ({value.Length} characters)");
        return text.ToString();
    }

    private static bool Printable(char character) => char.GetUnicodeCategory(character) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator => false,
        _ => true,
    };

    private static string Escape(char character) =>
        character <= 0xff ? $"\\x{(int)character:x2}" : $"\\u{(int)character:x4}";
}
