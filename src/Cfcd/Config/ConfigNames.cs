using System.Reflection;
using System.Text;

namespace Cfcd.Config;

/// <summary>How config records appear in YAML: snake_case keys and enum values, sections as nested mappings.</summary>
internal static class ConfigNames
{
    public static string ToSnakeCase(string pascal)
    {
        var snake = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
                snake.Append('_');
            snake.Append(char.ToLowerInvariant(pascal[i]));
        }
        return snake.ToString();
    }

    /// <summary>The settable properties of a config record by YAML key, in declaration order.</summary>
    public static IReadOnlyDictionary<string, PropertyInfo> Properties(Type record)
    {
        var byKey = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
        foreach (var property in record.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (property.CanWrite && property.GetIndexParameters().Length == 0)
                byKey[ToSnakeCase(property.Name)] = property;
        return byKey;
    }

    /// <summary>A nested section: one of the config records, as opposed to a value.</summary>
    public static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && !type.IsArray && type.Namespace == typeof(CfcdConfig).Namespace;

    /// <summary>Parses `class_balanced`, `ClassBalanced` or `class-balanced`; null when no member matches.</summary>
    public static object? ParseEnum(Type enumType, string text)
    {
        string wanted = text.Replace("_", "").Replace("-", "");
        foreach (string name in Enum.GetNames(enumType))
            if (string.Equals(name, wanted, StringComparison.OrdinalIgnoreCase))
                return Enum.Parse(enumType, name);
        return null;
    }
}
