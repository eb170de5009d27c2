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

    /// <summary>A value as YAML writes it.</summary>
    internal static string Scalar(object? value) => value switch
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
        _ => number.ToString("R", CultureInfo.InvariantCulture) is var text
            && text.All(c => char.IsDigit(c) || c == '-') ? text + ".0" : text,
    };

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\t", "\\t") + "\"";
}
