using System.Collections;

namespace Cfcd.Config;

/// <summary>
/// The first key whose value differs between two config records, by value (arrays item by item), not by their text.
/// Why: a run folder resumes only the run of its own config, and the refusal must say which key differs.
/// </summary>
internal static class ConfigDifference
{
    /// <summary>The first differing key in YAML order, as "dotted.key: a vs b" in YAML forms; null if the configs are
    /// equal.</summary>
    public static string? First(CfcdConfig config, CfcdConfig other) => FirstIn(config, other, prefix: "");

    private static string? FirstIn(object section, object otherSection, string prefix)
    {
        foreach (var (key, property) in ConfigNames.Properties(section.GetType()))
        {
            object? value = property.GetValue(section), otherValue = property.GetValue(otherSection);
            string dotted = prefix + key;
            if (value is not null && otherValue is not null && ConfigNames.IsSection(value.GetType()))
            {
                if (FirstIn(value, otherValue, dotted + ".") is string inSection)
                    return inSection;
            }
            else if (!StructuralComparisons.StructuralEqualityComparer.Equals(value, otherValue))
            {
                return $"{dotted}: {ConfigWriter.Scalar(value)} vs {ConfigWriter.Scalar(otherValue)}";
            }
        }
        return null;
    }
}
