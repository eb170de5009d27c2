using System.Globalization;
using System.Text;

namespace Cfcd.Config;

/// <summary>Writes a config record as YAML that <see cref="ConfigLoader"/> reads back to an equal config:
/// the resolved config stored beside every run.</summary>
public static class ConfigWriter
{
    public static string ToYaml(CfcdConfig config)
    {
        var yaml = new StringBuilder();
        WriteSection(yaml, config, indent: 0);
        return yaml.ToString();
    }

    /// <summary>The first key whose value differs between two configs written by <see cref="ToYaml"/>, as "key: a vs b"; null if equal.</summary>
    public static string? FirstDifference(string yaml, string otherYaml)
    {
        var lines = yaml.Split('\n');
        var otherLines = otherYaml.Split('\n');
        var sections = new List<string>();
        for (int i = 0; i < Math.Max(lines.Length, otherLines.Length); i++)
        {
            string line = i < lines.Length ? lines[i] : "", other = i < otherLines.Length ? otherLines[i] : "";
            int depth = (line.Length - line.TrimStart().Length) / 2;
            string key = line.Split(':')[0].Trim();
            if (line != other)
                return $"{string.Join('.', sections.Take(depth).Append(key))}: {Value(line)} vs {Value(other)}";
            if (line.EndsWith(':'))
            {
                sections.RemoveRange(Math.Min(depth, sections.Count), sections.Count - Math.Min(depth, sections.Count));
                sections.Add(key);
            }
        }
        return null;

        static string Value(string line) => line.Contains(':') ? line[(line.IndexOf(':') + 1)..].Trim() : "(absent)";
    }

    private static void WriteSection(StringBuilder yaml, object section, int indent)
    {
        foreach (var (key, property) in ConfigNames.Properties(section.GetType()))
        {
            object? value = property.GetValue(section);
            yaml.Append(' ', indent).Append(key).Append(':');
            if (value != null && ConfigNames.IsSection(value.GetType()))
            {
                yaml.Append('\n');
                WriteSection(yaml, value, indent + 2);
            }
            else
            {
                yaml.Append(' ').Append(Scalar(value)).Append('\n');
            }
        }
    }

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        string text => Quote(text),
        bool flag => flag ? "true" : "false",
        double number => FormatDouble(number),
        Enum member => ConfigNames.ToSnakeCase(member.ToString()),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        Array items => "[" + string.Join(", ", items.Cast<object?>().Select(Scalar)) + "]",
        _ => throw new InvalidOperationException($"cannot write a config value of type {value.GetType()}"),
    };

    private static string FormatDouble(double number) => number switch
    {
        double.PositiveInfinity => ".inf",
        double.NegativeInfinity => "-.inf",
        double.NaN => ".nan",
        // "R" round-trips exactly; an integral value keeps a ".0" so that it still reads as a number of this type.
        _ => number.ToString("R", CultureInfo.InvariantCulture) is var text && text.All(c => char.IsDigit(c) || c == '-') ? text + ".0" : text,
    };

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\t", "\\t") + "\"";
}
