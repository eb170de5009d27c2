using System.Globalization;
using System.Reflection;

namespace Cfcd.Config;

/// <summary>
/// Binds a <see cref="MappingNode"/> onto a config record: each key sets the property of the same snake_case
/// name, anything absent keeps the record's default. Unknown keys and values of the wrong type are errors
/// naming the source and the dotted key. Records where every key came from is kept for validation.
/// </summary>
internal sealed class ConfigBinder
{
    private readonly Dictionary<string, string> _sources = new(StringComparer.Ordinal);
    private readonly NullabilityInfoContext _nullability = new();

    /// <summary>Dotted key (`optim.base_lr`) to the place it was set.</summary>
    public IReadOnlyDictionary<string, string> Sources => _sources;

    public T Bind<T>(MappingNode mapping) where T : new() => (T)BindRecord(typeof(T), mapping, "");

    private object BindRecord(Type type, MappingNode mapping, string prefix)
    {
        var record = Activator.CreateInstance(type)!;
        var properties = ConfigNames.Properties(type);
        foreach (var (key, node) in mapping.Entries)
        {
            string dotted = prefix + key;
            if (!properties.TryGetValue(key, out var property))
                throw new InputException($"{mapping.KeySources[key]}: unknown key '{InputText.Quote(dotted)}' " +
                    $"(known here: {string.Join(", ", properties.Keys)})");
            _sources[dotted] = node.Source;
            property.SetValue(record, ConvertValue(property.PropertyType, node, dotted, IsNullable(property)));
        }
        return record;
    }

    private object? ConvertValue(Type type, ConfigNode node, string key, bool nullable)
    {
        if (node is ScalarNode { IsNull: true })
            return nullable || Nullable.GetUnderlyingType(type) != null
                ? null
                : throw Mismatch(node, key, $"a value ({Describe(type)})", "null");
        type = Nullable.GetUnderlyingType(type) ?? type;

        if (type.IsArray)
        {
            if (node is not SequenceNode sequence)
                throw Mismatch(node, key, $"a list of {Describe(type.GetElementType()!)}", Found(node));
            var elementType = type.GetElementType()!;
            var array = Array.CreateInstance(elementType, sequence.Items.Count);
            for (int i = 0; i < sequence.Items.Count; i++)
                array.SetValue(ConvertValue(elementType, sequence.Items[i], $"{key}[{i}]", nullable: false), i);
            return array;
        }
        if (ConfigNames.IsSection(type))
            return node is MappingNode mapping
                ? BindRecord(type, mapping, key + ".")
                : throw Mismatch(node, key, "a section (a mapping of keys)", Found(node));
        if (node is not ScalarNode scalar)
            throw Mismatch(node, key, Describe(type), Found(node));
        return ConvertScalar(type, scalar, key);
    }

    private static object ConvertScalar(Type type, ScalarNode scalar, string key)
    {
        string text = scalar.Value ?? "";
        if (type == typeof(string))
            return text;
        if (type.IsEnum)
            return ConfigNames.ParseEnum(type, text) ?? throw Mismatch(scalar, key, Describe(type), Found(scalar));
        if (scalar.Quoted)
            throw Mismatch(scalar, key, Describe(type), $"the string \"{InputText.Quote(text)}\"");
        object? value = type switch
        {
            _ when type == typeof(int) =>
                int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : null,
            _ when type == typeof(long) =>
                long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : null,
            _ when type == typeof(double) => ParseDouble(text),
            _ when type == typeof(bool) =>
                text switch { "true" or "True" or "TRUE" => true, "false" or "False" or "FALSE" => false, _ => null },
            _ => throw new InvalidOperationException($"config property type {type} is not supported by the binder"),
        };
        return value ?? throw Mismatch(scalar, key, Describe(type), Found(scalar));
    }

    /// <summary>
    /// Every number in a config is finite: `.inf` and `.nan` (or 1e999) are refused where they are read.
    /// </summary>
    private static double? ParseDouble(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            && double.IsFinite(value)
            ? value
            : null;

    private static InputException Mismatch(ConfigNode node, string key, string expected, string found) =>
        new($"{node.Source}: key '{key}' expects {expected}, got {found}");

    private static string Found(ConfigNode node) => node switch
    {
        SequenceNode => "a list",
        MappingNode => "a section",
        // A quoted or block scalar can hold line breaks: the message stays one line.
        ScalarNode scalar => $"'{InputText.Quote(scalar.Value ?? "")}'",
        _ => node.GetType().Name,
    };

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(ConfigNames.ToSnakeCase));
        if (type == typeof(int) || type == typeof(long))
            return "an integer";
        if (type == typeof(double))
            return "a finite number";
        if (type == typeof(bool))
            return "true or false";
        return type == typeof(string) ? "a string" : type.Name;
    }

    private bool IsNullable(PropertyInfo property) =>
        _nullability.Create(property).WriteState == NullabilityState.Nullable;
}
