
namespace Praetor.Cli.Flags;

/// <summary>Reads one occurrence of a flag's text into a value, given the value so far
/// (a repeatable flag appends to it); on failure returns Go's short reason.</summary>
public delegate bool GoFlagValueParser<T>(string text, T current, out T value, out string? error);

/// <summary>A typed flag: <see cref="GoFlagSet"/> creates the common ones; construct one with a
/// custom parser and register it with <see cref="GoFlagSet.Add{TFlag}"/> for anything else.</summary>
public sealed class GoFlag<T> : GoFlag
{
    private readonly GoFlagValueParser<T> _parse;
    private readonly Func<T, string> _format;
    private readonly bool _isBoolFlag;

    public GoFlag(string name, T defaultValue, string usage, string typeName, GoFlagValueParser<T> parse, Func<T, string> format, bool isBoolFlag = false)
        : base(name, usage, typeName)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(format);
        DefaultValue = defaultValue;
        Value = defaultValue;
        _parse = parse;
        _format = format;
        _isBoolFlag = isBoolFlag;
    }

    /// <summary>The current value: the default until the flag is set.</summary>
    public T Value { get; private set; }

    public T DefaultValue { get; }

    public override bool IsBoolFlag => _isBoolFlag;

    public override string ValueText => _format(Value);

    public override string DefaultText => _format(DefaultValue);

    internal override bool TrySetValue(string text, out string? error)
    {
        if (!_parse(text, Value, out var value, out var reason))
        {
            error = reason;
            return false;
        }

        Value = value;
        error = null;
        return true;
    }
}
