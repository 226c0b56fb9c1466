using Praetor.Agent;

namespace Praetor.Cli.Flags;

/// <summary>
/// One flag of a <see cref="GoFlagSet"/>: Go's <c>flag.Flag</c> and its <c>flag.Value</c> in one.
/// A flag's value changes only through <see cref="GoFlagSet.TryParse"/> or <see cref="GoFlagSet.TrySet"/>.
/// </summary>
public abstract class GoFlag
{
    protected GoFlag(string name, string usage, string typeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name[0] == '-' || name.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException($"flag {name} begins with - or contains =", nameof(name));
        }

        Name = name;
        Usage = usage;
        TypeName = typeName;
    }

    /// <summary>The name without dashes, as written after <c>-</c> on the command line.</summary>
    public string Name { get; }

    /// <summary>The help text; a word in backquotes names the value in usage (Go's <c>UnquoteUsage</c>).</summary>
    public string Usage { get; }

    /// <summary>The value's name in usage when <see cref="Usage"/> has no backquoted word
    /// (<c>string</c>, <c>int</c>, <c>uint</c>, <c>duration</c>, <c>value</c>); empty for bool flags.</summary>
    public string TypeName { get; }

    /// <summary>Bool flags take no separate value: only <c>-name</c> or <c>-name=true|false</c>.</summary>
    public virtual bool IsBoolFlag => false;

    /// <summary>True once the flag was given on the command line or through <see cref="GoFlagSet.TrySet"/>
    /// (Go's <c>FlagSet.Visit</c>), even when given its default value.</summary>
    public bool IsSet { get; internal set; }

    /// <summary>The current value as Go's <c>Value.String()</c> prints it.</summary>
    public abstract string ValueText { get; }

    /// <summary>The default value as Go's <c>Value.String()</c> prints it.</summary>
    public abstract string DefaultText { get; }

    /// <summary>Go's <c>flag.UnquoteUsage</c>: the value's name for <c>-name=&lt;x&gt;</c> and the usage without backquotes.</summary>
    public (string ValueName, string Usage) UnquoteUsage()
    {
        var open = Usage.IndexOf('`', StringComparison.Ordinal);
        if (open >= 0)
        {
            var close = Usage.IndexOf('`', open + 1);
            if (close > open)
            {
                var valueName = Usage[(open + 1)..close];
                return (valueName, Usage[..open] + valueName + Usage[(close + 1)..]);
            }
        }

        return (IsBoolFlag ? string.Empty : TypeName, Usage);
    }

    /// <summary>Go's <c>Value.Set</c>. On failure <paramref name="error"/> is the short reason the
    /// flag set puts after the flag's name (usually <see cref="GoStrconv.ParseError"/>).</summary>
    internal abstract bool TrySetValue(string text, out string? error);
}
