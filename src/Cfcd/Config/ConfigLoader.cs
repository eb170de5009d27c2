namespace Cfcd.Config;

/// <summary>Reads a run's configuration: YAML file, then `--set` overrides, then validation.</summary>
public static class ConfigLoader
{
    /// <summary>A config is a few kilobytes; a larger file is not one.</summary>
    private const long MaxConfigBytes = 1 << 20;

    /// <summary>Loads and validates <paramref name="path"/>; any problem is an <see cref="InputException"/> naming the
    /// file and key.</summary>
    public static CfcdConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        string yaml = InputFile.ReadAllText(path, MaxConfigBytes);
        return Parse(yaml, path, overrides);
    }

    /// <summary>Parses YAML text; <paramref name="fileName"/> is what error messages call it.</summary>
    public static CfcdConfig Parse(string yaml, string fileName, IEnumerable<string>? overrides = null)
    {
        var tree = ConfigTree.ParseDocument(yaml, fileName);
        foreach (string assignment in overrides ?? [])
            ConfigTree.ApplyOverride(tree, assignment);

        var binder = new ConfigBinder();
        var config = binder.Bind<CfcdConfig>(tree);
        var (key, problem) = ConfigValidator.Problems(config).FirstOrDefault();
        if (key != null)
            throw new InputException($"{binder.Sources.GetValueOrDefault(key, fileName)}: key '{key}' {problem}");
        return config;
    }
}
