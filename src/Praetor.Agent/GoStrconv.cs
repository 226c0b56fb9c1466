using System.Text;

namespace Praetor.Agent;

/// <summary>
/// The parts of Go's <c>strconv</c> package that Go's <c>flag</c> package uses to read flag
/// values, so that <c>-port=0x1F</c>, <c>-flags=1_000</c> or <c>-server=T</c> mean what they mean
/// to Consul. Failures carry Go's short reasons (<see cref="ParseError"/>, <see cref="RangeError"/>),
/// which the flag package puts after the flag name.
/// </summary>
public static class GoStrconv
{
    /// <summary>Go's <c>flag</c> package reports every syntax failure as this.</summary>
    public const string ParseError = "parse error";

    /// <summary>Go's <c>flag</c> package reports every overflow as this.</summary>
    public const string RangeError = "value out of range";

    /// <summary>Go's <c>strconv.ParseBool</c>.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Go's <c>strconv.ParseUint(text, 0, bitSize)</c>: base prefixes 0b, 0o, 0x, a leading 0 for
    /// octal, and underscores between digits.</summary>
    public static bool TryParseUint(string text, int bitSize, out ulong value, out string? error)
    {
        value = 0;
        if (text.Length == 0)
        {
            error = ParseError;
            return false;
        }

        var digits = text.AsSpan();
        var numberBase = 10;
        if (digits[0] == '0')
        {
            if (digits.Length >= 3 && char.ToLowerInvariant(digits[1]) is 'b' or 'o' or 'x')
            {
                numberBase = char.ToLowerInvariant(digits[1]) switch { 'b' => 2, 'o' => 8, _ => 16 };
                digits = digits[2..];
            }
            else
            {
                numberBase = 8;
                digits = digits[1..];
            }
        }

        var max = bitSize >= 64 ? ulong.MaxValue : (1UL << bitSize) - 1;
        var sawUnderscore = false;
        ulong n = 0;
        foreach (var c in digits)
        {
            // Base 0 (the only base flags use) allows underscores; their placement is checked below.
            if (c == '_')
            {
                sawUnderscore = true;
                continue;
            }

            var digit = DigitValue(c);
            if (digit >= numberBase)
            {
                error = ParseError;
                return false;
            }

            if (n > (max - (ulong)digit) / (ulong)numberBase)
            {
                // Go stops at the first digit that overflows, before looking at the rest.
                value = max;
                error = RangeError;
                return false;
            }

            n = (n * (ulong)numberBase) + (ulong)digit;
        }

        if (sawUnderscore && !UnderscoresSeparateDigits(text))
        {
            error = ParseError;
            return false;
        }

        value = n;
        error = null;
        return true;
    }

    /// <summary>Go's <c>strconv.ParseInt(text, 0, bitSize)</c>.</summary>
    public static bool TryParseInt(string text, int bitSize, out long value, out string? error)
    {
        value = 0;
        if (text.Length == 0)
        {
            error = ParseError;
            return false;
        }

        var negative = text[0] == '-';
        var unsigned = text[0] is '-' or '+' ? text[1..] : text;
        if (!TryParseUint(unsigned, 64, out var magnitude, out error) && error == ParseError)
        {
            return false;
        }

        var cutoff = 1UL << (bitSize - 1);
        if (error == RangeError || (!negative && magnitude >= cutoff) || (negative && magnitude > cutoff))
        {
            value = negative ? -(long)(cutoff - 1) - 1 : (long)(cutoff - 1);
            error = RangeError;
            return false;
        }

        value = negative ? -(long)magnitude : (long)magnitude;
        error = null;
        return true;
    }

    /// <summary>Go's <c>%q</c> for the strings that appear in flag errors.</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2);
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\a': builder.Append("\\a"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\v': builder.Append("\\v"); break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append(c < 0x80 ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
        return builder.ToString();
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'z' => c - 'a' + 10,
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => int.MaxValue,
    };

    // Go's strconv.underscoreOK: underscores may only sit between digits (or after a base prefix).
    private static bool UnderscoresSeparateDigits(string text)
    {
        var saw = '^';
        var s = text.AsSpan();
        if (s.Length >= 1 && s[0] is '-' or '+')
        {
            s = s[1..];
        }

        var i = 0;
        var hex = false;
        if (s.Length >= 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = char.ToLowerInvariant(s[1]) == 'x';
        }

        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c is >= '0' and <= '9' || (hex && char.ToLowerInvariant(c) is >= 'a' and <= 'f'))
            {
                saw = '0';
                continue;
            }

            if (c == '_')
            {
                if (saw != '0')
                {
                    return false;
                }

                saw = '_';
                continue;
            }

            if (saw == '_')
            {
                return false;
            }

            saw = '!';
        }

        return saw != '_';
    }
}
