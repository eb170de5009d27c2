using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Cfcd.Config;

// An untyped YAML tree that remembers where every value came from ("configs/x.yaml:12:3" or
// "--set model.depth=101"), so that binding and validation errors can name the file, line and key.

internal abstract record ConfigNode(string Source);

internal sealed record ScalarNode(string? Value, bool Quoted, string Source) : ConfigNode(Source)
{
    /// <summary>A plain `null`, `~` or empty scalar.</summary>
    public bool IsNull => !Quoted && Value is null or "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record SequenceNode(IReadOnlyList<ConfigNode> Items, string Source) : ConfigNode(Source);

internal sealed record MappingNode(Dictionary<string, ConfigNode> Entries, string Source) : ConfigNode(Source)
{
    /// <summary>Where each key itself was written (the values' sources are on the values).</summary>
    public Dictionary<string, string> KeySources { get; } = new(StringComparer.Ordinal);

    public void Set(string key, string keySource, ConfigNode value)
    {
        Entries[key] = value;
        KeySources[key] = keySource;
    }
}

internal static class ConfigTree
{
    /// <summary>Parses YAML text whose top level must be a mapping (an empty document is an empty mapping).</summary>
    public static MappingNode ParseDocument(string yaml, string fileName)
    {
        var root = ParseYaml(yaml, fileName, location => $"{fileName}:{location}");
        return root switch
        {
            null => new MappingNode([], fileName),
            MappingNode mapping => mapping,
            _ => throw new InputException($"{root.Source}: the top level of a config must be a mapping of sections " +
                                          "(model:, train:, ...)"),
        };
    }

    /// <summary>Applies one `--set section.key=value` override; the value is read as YAML (`[1, 2]` is a
    /// list).</summary>
    public static void ApplyOverride(MappingNode root, string assignment)
    {
        int equals = assignment.IndexOf('=');
        if (equals <= 0)
            throw new InputException($"--set {assignment}: expected section.key=value");
        string[] path = assignment[..equals].Trim().Split('.');
        if (path.Any(string.IsNullOrWhiteSpace))
            throw new InputException($"--set {assignment}: '{assignment[..equals]}' is not a dotted key such as " +
                                     "optim.base_lr");
        string source = $"--set {assignment}";
        var value = ParseYaml(assignment[(equals + 1)..], source, _ => source) ?? new ScalarNode(null, false, source);

        var mapping = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            if (!mapping.Entries.TryGetValue(path[i], out var child))
                mapping.Set(path[i], source, child = new MappingNode([], source));
            mapping = child as MappingNode
                ?? throw new InputException($"{source}: '{string.Join('.', path[..(i + 1)])}' is a value, not a " +
                                            "section");
        }
        mapping.Set(path[^1], source, value);
    }

    /// <summary>Sections and lists nested deeper than this are refused: a config has three levels.</summary>
    internal const int MaxDepth = 32;

    private static ConfigNode? ParseYaml(string yaml, string name, Func<string, string> describe)
    {
        var stream = new YamlStream();
        try
        {
            CheckStructure(yaml, describe);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException error)
        {
            string reason = (error.InnerException?.Message ?? error.Message).ReplaceLineEndings(" ");
            throw new InputException($"{describe(Location(error.Start))}: invalid YAML: {StripMark(reason)}", error);
        }
        catch (Exception error) when (error is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18 throws these on some malformed documents (a scanner state error, an event the tree
            // loader does not expect); found by fuzzing.
            throw new InputException($"{name}: invalid YAML ({error.Message})", error);
        }
        if (stream.Documents.Count > 1)
            throw new InputException($"{name}: expected one YAML document, found {stream.Documents.Count}");
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode, describe);
    }

    /// <summary>
    /// Reads the YAML as events, before any tree is built, and refuses anchors and aliases (a 1 KB "billion laughs"
    /// expands to gigabytes; `a: &amp;a [*a]` is a cycle) and nesting deeper than <see cref="MaxDepth"/> (the tree
    /// is converted recursively).
    /// </summary>
    private static void CheckStructure(string yaml, Func<string, string> describe)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case AnchorAlias alias:
                    throw new InputException(
                        $"{describe(Location(alias.Start))}: YAML aliases (*name) are not supported in configs");
                case NodeEvent { Anchor.IsEmpty: false } anchored:
                    throw new InputException(
                        $"{describe(Location(anchored.Start))}: YAML anchors (&name) are not supported in configs");
                case SequenceStart or MappingStart:
                    if (++depth > MaxDepth)
                        throw new InputException(
                            $"{describe(Location(parser.Current.Start))}: nested deeper than {MaxDepth} levels");
                    break;
                case SequenceEnd or MappingEnd:
                    depth--;
                    break;
            }
        }
    }

    private static ConfigNode Convert(YamlNode node, Func<string, string> describe)
    {
        string source = describe(Location(node.Start));
        switch (node)
        {
            case YamlScalarNode scalar:
                return new ScalarNode(scalar.Value,
                    scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted, source);
            case YamlSequenceNode sequence:
                return new SequenceNode(sequence.Children.Select(child => Convert(child, describe)).ToList(), source);
            case YamlMappingNode mapping:
                var result = new MappingNode([], source);
                foreach (var (key, value) in mapping.Children)
                {
                    string keySource = describe(Location(key.Start));
                    if (key is not YamlScalarNode { Value: { } name })
                        throw new InputException($"{keySource}: keys must be plain names");
                    result.Set(name, keySource, Convert(value, describe));
                }
                return result;
            default:
                throw new InputException($"{source}: YAML aliases are not supported in configs");
        }
    }

    private static string Location(Mark mark) => $"{mark.Line}:{mark.Column}";

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the location is already given.
    private static string StripMark(string message)
    {
        int marker = message.LastIndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && marker > 0 ? message[(marker + 3)..] : message;
    }
}
