using System.Globalization;

namespace Praetor.Agent;

/// <summary>
/// Go's <c>time.ParseDuration</c> and <c>Duration.String</c>: Consul's flags and config take
/// durations as Go writes them (<c>10s</c>, <c>1m30s</c>, <c>1.5h</c>, <c>250ms</c>).
/// .NET's <see cref="TimeSpan"/> holds 100 ns ticks, so nanosecond remainders are truncated.
/// </summary>
public static class GoDuration
{
    private const long NanosecondsPerTick = 100;

    /// <summary>Parses Go's duration syntax <c>[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+</c>; the error is Go's.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return Invalid(text, out error);
        }

        ulong total = 0;
        while (!s.IsEmpty)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                return Invalid(text, out error);
            }

            var digits = CountDigits(s);
            if (!ulong.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var whole) && digits > 0)
            {
                return Invalid(text, out error);
            }

            s = s[digits..];
            var fraction = ReadOnlySpan<char>.Empty;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                var fractionDigits = CountDigits(s);
                fraction = s[..fractionDigits];
                s = s[fractionDigits..];
                if (digits == 0 && fractionDigits == 0)
                {
                    return Invalid(text, out error);
                }
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = $"time: missing unit in duration {GoStrconv.Quote(text)}";
                return false;
            }

            var unit = UnitNanoseconds(s[..unitLength]);
            if (unit == 0)
            {
                error = $"time: unknown unit {GoStrconv.Quote(s[..unitLength].ToString())} in duration {GoStrconv.Quote(text)}";
                return false;
            }

            s = s[unitLength..];
            if (!TryAccumulate(whole, fraction, unit, ref total))
            {
                return Invalid(text, out error);
            }
        }

        if (total > long.MaxValue)
        {
            return Invalid(text, out error);
        }

        var ticks = (long)total / NanosecondsPerTick;
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Go's <c>Duration.String</c>: <c>0s</c>, <c>1.5ms</c>, <c>100µs</c>, <c>2m0s</c>, <c>1h0m0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var negative = duration < TimeSpan.Zero;
        var nanoseconds = (ulong)Math.Abs((decimal)duration.Ticks * NanosecondsPerTick);
        string text;
        if (nanoseconds < 1_000_000_000UL)
        {
            text = nanoseconds switch
            {
                0 => "0s",
                < 1_000 => nanoseconds.ToString(CultureInfo.InvariantCulture) + "ns",
                < 1_000_000 => WithFraction(nanoseconds, 3) + "µs",
                _ => WithFraction(nanoseconds, 6) + "ms",
            };
        }
        else
        {
            var seconds = WithFraction(nanoseconds % 60_000_000_000UL, 9) + "s";
            var minutes = nanoseconds / 60_000_000_000UL;
            text = minutes == 0
                ? seconds
                : minutes < 60
                    ? $"{minutes}m{seconds}"
                    : $"{minutes / 60}h{minutes % 60}m{seconds}";
        }

        return negative ? "-" + text : text;
    }

    private static string WithFraction(ulong value, int precision)
    {
        ulong scale = 1;
        for (var i = 0; i < precision; i++)
        {
            scale *= 10;
        }

        var whole = (value / scale).ToString(CultureInfo.InvariantCulture);
        var fraction = (value % scale).ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0').TrimEnd('0');
        return fraction.Length == 0 ? whole : whole + "." + fraction;
    }

    private static int CountDigits(ReadOnlySpan<char> s)
    {
        var n = 0;
        while (n < s.Length && char.IsAsciiDigit(s[n]))
        {
            n++;
        }

        return n;
    }

    private static ulong UnitNanoseconds(ReadOnlySpan<char> unit) => unit switch
    {
        "ns" => 1,
        "us" or "\u00b5s" or "\u03bcs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => 0,
    };

    private static bool TryAccumulate(ulong whole, ReadOnlySpan<char> fraction, ulong unit, ref ulong total)
    {
        try
        {
            checked
            {
                var amount = whole * unit;
                decimal fractionValue = 0;
                decimal scale = 1;
                foreach (var digit in fraction)
                {
                    if (scale > 1e18m)
                    {
                        break;
                    }

                    scale *= 10;
                    fractionValue += (digit - '0') / scale;
                }

                amount += (ulong)(fractionValue * unit);
                total += amount;
                return total <= long.MaxValue;
            }
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static bool Invalid(string text, out string? error)
    {
        error = $"time: invalid duration {GoStrconv.Quote(text)}";
        return false;
    }
}
