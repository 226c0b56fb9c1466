using Praetor.Cli.Flags;

namespace Praetor.Cli.Catalog;

/// <summary>
/// A repeatable <c>key=value</c> flag collected into a map (Consul's <c>FlagMapValue</c>, used by
/// <c>-meta</c> and <c>-node-meta</c>): each occurrence adds a pair, a later one for the same key wins.
/// </summary>
public static class KeyValueFlag
{
    public static GoFlag<IReadOnlyDictionary<string, string>> Define(GoFlagSet flags, string name, string usage)
    {
        ArgumentNullException.ThrowIfNull(flags);
        return flags.Add(new GoFlag<IReadOnlyDictionary<string, string>>(
            name, new Dictionary<string, string>(StringComparer.Ordinal), usage, "value", Parse, Format));
    }

    private static bool Parse(string text, IReadOnlyDictionary<string, string> current, out IReadOnlyDictionary<string, string> value, out string? error)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            value = current;
            error = $"Missing \"=\" value in argument: {text}";
            return false;
        }

        value = new Dictionary<string, string>(current, StringComparer.Ordinal) { [text[..equals]] = text[(equals + 1)..] };
        error = null;
        return true;
    }

    private static string Format(IReadOnlyDictionary<string, string> map)
    {
        var keys = new List<string>(map.Keys);
        keys.Sort(StringComparer.Ordinal);
        return string.Join(", ", keys.Select(key => $"{key}={map[key]}"));
    }
}
