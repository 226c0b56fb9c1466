using Praetor.Agent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Praetor.Cli.Flags;

/// <summary>
/// A command's flags, parsed by the rules of Go's <c>flag</c> package (ContinueOnError mode), which
/// every Consul command and its users' scripts rely on:
/// <list type="bullet">
/// <item><c>-name</c> and <c>--name</c> are the same; <c>-name=value</c> or <c>-name value</c> for non-bool flags;</item>
/// <item>bool flags are only <c>-name</c> or <c>-name=true|false</c> (a following word is an argument, not the value);</item>
/// <item>parsing stops at the first non-flag argument (or <c>-</c>); <c>--</c> stops it and is dropped;</item>
/// <item>a non-bool flag takes the next argument as its value even when it starts with <c>-</c>;</item>
/// <item>an undefined flag is an error (<c>flag provided but not defined: -x</c>), except <c>-h</c>/<c>-help</c>,
/// which ask for help.</item>
/// </list>
/// Written by hand on purpose: System.CommandLine's POSIX-style tokenizer does not follow these rules
/// (it keeps parsing options after positional arguments, lets bool options consume a following
/// true/false word, bundles or rejects single-dash long names), so Consul command lines would mean
/// something different.
/// </summary>
public sealed class GoFlagSet
{
    /// <summary>The error <see cref="TryParse"/> reports for an undefined <c>-h</c> or <c>-help</c> (Go's <c>flag.ErrHelp</c>).</summary>
    public const string HelpRequestedError = "flag: help requested";

    private readonly Dictionary<string, GoFlag> _flags = new(StringComparer.Ordinal);
    private string[] _args = [];

    public GoFlagSet(string name)
    {
        Name = name;
    }

    /// <summary>The command's name, for usage text.</summary>
    public string Name { get; }

    /// <summary>The arguments left after the flags (Go's <c>FlagSet.Args</c>).</summary>
    public IReadOnlyList<string> Args => _args;

    /// <summary>True once <see cref="TryParse"/> has run.</summary>
    public bool Parsed { get; private set; }

    /// <summary>True when the last <see cref="TryParse"/> stopped at an undefined <c>-h</c> or <c>-help</c>.</summary>
    public bool HelpRequested { get; private set; }

    public GoFlag<string> String(string name, string defaultValue, string usage) =>
        Add(new GoFlag<string>(name, defaultValue, usage, "string", ParseString, value => value));

    public GoFlag<bool> Bool(string name, bool defaultValue, string usage) =>
        Add(new GoFlag<bool>(name, defaultValue, usage, string.Empty, ParseBool, FormatBool, isBoolFlag: true));

    /// <summary>A 32-bit int flag read as Go's <c>strconv.ParseInt(s, 0, 32)</c> (base prefixes allowed).</summary>
    public GoFlag<int> Int(string name, int defaultValue, string usage) =>
        Add(new GoFlag<int>(name, defaultValue, usage, "int", ParseInt, FormatInt));

    /// <summary>A uint64 flag read as Go's <c>strconv.ParseUint(s, 0, 64)</c>.</summary>
    public GoFlag<ulong> Uint64(string name, ulong defaultValue, string usage) =>
        Add(new GoFlag<ulong>(name, defaultValue, usage, "uint", ParseUint64, FormatUint64));

    /// <summary>A duration flag in Go's syntax (<c>10s</c>, <c>1m30s</c>).</summary>
    public GoFlag<TimeSpan> Duration(string name, TimeSpan defaultValue, string usage) =>
        Add(new GoFlag<TimeSpan>(name, defaultValue, usage, "duration", ParseDuration, GoDuration.Format));

    /// <summary>A repeatable string flag: each occurrence appends (Consul's <c>AppendSliceValue</c>).</summary>
    public GoFlag<IReadOnlyList<string>> StringList(string name, string usage) =>
        Add(new GoFlag<IReadOnlyList<string>>(name, [], usage, "value", AppendString, values => string.Join(',', values)));

    /// <summary>Registers a flag (Go's <c>FlagSet.Var</c>). Defining a name twice is a programming error.</summary>
    public TFlag Add<TFlag>(TFlag flag)
        where TFlag : GoFlag
    {
        ArgumentNullException.ThrowIfNull(flag);
        if (!_flags.TryAdd(flag.Name, flag))
        {
            throw new InvalidOperationException($"{Name} flag redefined: {flag.Name}");
        }

        return flag;
    }

    public GoFlag? Lookup(string name) => _flags.GetValueOrDefault(name);

    /// <summary>True when the flag was given explicitly (Go's <c>FlagSet.Visit</c>).</summary>
    public bool IsSet(string name) => _flags.TryGetValue(name, out var flag) && flag.IsSet;

    /// <summary>All flags in name order (Go's <c>FlagSet.VisitAll</c>).</summary>
    public IReadOnlyList<GoFlag> SortedFlags()
    {
        var flags = new List<GoFlag>(_flags.Values);
        flags.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return flags;
    }

    /// <summary>Sets a flag by name as if given on the command line (Go's <c>FlagSet.Set</c>).</summary>
    public bool TrySet(string name, string value, [NotNullWhen(false)] out string? error)
    {
        if (!_flags.TryGetValue(name, out var flag))
        {
            error = $"no such flag -{name}";
            return false;
        }

        if (!flag.TrySetValue(value, out var reason))
        {
            error = reason ?? GoStrconv.ParseError;
            return false;
        }

        flag.IsSet = true;
        error = null;
        return true;
    }

    /// <summary>
    /// Parses flags from the front of <paramref name="arguments"/> (the command name excluded) and
    /// leaves the rest in <see cref="Args"/>. The error text is Go's word for word.
    /// </summary>
    public bool TryParse(IReadOnlyList<string> arguments, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        Parsed = true;
        HelpRequested = false;
        var next = 0;
        error = null;
        while (next < arguments.Count && error is null)
        {
            var argument = arguments[next];
            if (argument.Length < 2 || argument[0] != '-')
            {
                break;
            }

            var dashes = argument[1] == '-' ? 2 : 1;
            if (argument.Length == 2 && dashes == 2)
            {
                next++;
                break;
            }

            next++;
            error = ParseOne(argument, dashes, arguments, ref next);
        }

        _args = new string[arguments.Count - next];
        for (var i = next; i < arguments.Count; i++)
        {
            _args[i - next] = arguments[i];
        }

        return error is null;
    }

    /// <summary>
    /// Writes every flag (or those <paramref name="include"/> accepts) in Consul's usage layout:
    /// <c>  -name=&lt;value&gt;</c>, then the usage and current value indented by five spaces,
    /// wrapped at 72 columns, and a blank line.
    /// </summary>
    public void WriteDefaults(TextWriter output, Func<GoFlag, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var flag in SortedFlags())
        {
            if (include is not null && !include(flag))
            {
                continue;
            }

            var (valueName, usage) = flag.UnquoteUsage();
            output.Write(valueName.Length == 0 ? $"  -{flag.Name}\n" : $"  -{flag.Name}=<{valueName}>\n");
            UsageWrapper.WriteWrapped(output, $"{usage} ({flag.ValueText})", indent: 5, width: 72);
            output.Write('\n');
        }
    }

    private string? ParseOne(string argument, int dashes, IReadOnlyList<string> arguments, ref int next)
    {
        var name = argument[dashes..];
        if (name.Length == 0 || name[0] is '-' or '=')
        {
            return $"bad flag syntax: {argument}";
        }

        string? value = null;
        var equals = name.IndexOf('=', 1);
        if (equals > 0)
        {
            value = name[(equals + 1)..];
            name = name[..equals];
        }

        if (!_flags.TryGetValue(name, out var flag))
        {
            if (name is "help" or "h")
            {
                HelpRequested = true;
                return HelpRequestedError;
            }

            return $"flag provided but not defined: -{name}";
        }

        string? reason;
        if (flag.IsBoolFlag)
        {
            if (value is not null)
            {
                if (!flag.TrySetValue(value, out reason))
                {
                    return $"invalid boolean value {GoStrconv.Quote(value)} for -{name}: {reason}";
                }
            }
            else if (!flag.TrySetValue("true", out reason))
            {
                return $"invalid boolean flag {name}: {reason}";
            }
        }
        else
        {
            if (value is null && next < arguments.Count)
            {
                value = arguments[next];
                next++;
            }

            if (value is null)
            {
                return $"flag needs an argument: -{name}";
            }

            if (!flag.TrySetValue(value, out reason))
            {
                return $"invalid value {GoStrconv.Quote(value)} for flag -{name}: {reason}";
            }
        }

        flag.IsSet = true;
        return null;
    }

    private static bool ParseString(string text, string current, out string value, out string? error)
    {
        value = text;
        error = null;
        return true;
    }

    private static bool ParseBool(string text, bool current, out bool value, out string? error)
    {
        error = GoStrconv.TryParseBool(text, out value) ? null : GoStrconv.ParseError;
        return error is null;
    }

    private static bool ParseInt(string text, int current, out int value, out string? error)
    {
        var ok = GoStrconv.TryParseInt(text, 32, out var parsed, out error);
        value = (int)parsed;
        return ok;
    }

    private static bool ParseUint64(string text, ulong current, out ulong value, out string? error) =>
        GoStrconv.TryParseUint(text, 64, out value, out error);

    private static bool ParseDuration(string text, TimeSpan current, out TimeSpan value, out string? error)
    {
        // Go's flag package drops time's own message for durations too.
        var ok = GoDuration.TryParse(text, out value, out _);
        error = ok ? null : GoStrconv.ParseError;
        return ok;
    }

    private static bool AppendString(string text, IReadOnlyList<string> current, out IReadOnlyList<string> value, out string? error)
    {
        var values = new List<string>(current.Count + 1);
        values.AddRange(current);
        values.Add(text);
        value = values;
        error = null;
        return true;
    }

    private static string FormatBool(bool value) => value ? "true" : "false";

    private static string FormatInt(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string FormatUint64(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
