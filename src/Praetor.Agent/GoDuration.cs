using System.Globalization;

namespace Praetor.Agent;

/// <summary>
/// Go's duration strings (`300ms`, `1.5h`, `2h45m`, `15.000000s`), as Consul reads them in
/// query parameters and config files, and writes them back.
/// </summary>
public static class GoDuration
{
    /// <summary>Parses a Go duration. A bare `0` is zero, as in Go; any other number needs a unit.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '-' or '+')
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
            return false;
        }
        decimal totalTicks = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
            {
                numberLength++;
            }
            if (numberLength == 0 || !decimal.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }
            s = s[numberLength..];
            var unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.')
            {
                unitLength++;
            }
            decimal? ticksPerUnit = s[..unitLength] switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (ticksPerUnit is null)
            {
                return false;
            }
            totalTicks += number * ticksPerUnit.Value;
            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
            s = s[unitLength..];
        }
        duration = TimeSpan.FromTicks((long)totalTicks * (negative ? -1 : 1));
        return true;
    }

    /// <summary>Formats as Go's <c>Duration.String()</c> does for whole units (`0s`, `1m30s`, `1.5s`, `300ms`).</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }
        var sign = duration < TimeSpan.Zero ? "-" : "";
        var d = duration.Duration();
        if (d < TimeSpan.FromSeconds(1))
        {
            return sign + (d.TotalMilliseconds >= 1
                ? d.TotalMilliseconds.ToString("0.######", CultureInfo.InvariantCulture) + "ms"
                : (d.Ticks / 10m).ToString("0.#", CultureInfo.InvariantCulture) + "µs");
        }
        var hours = (long)d.TotalHours;
        var minutes = d.Minutes;
        var seconds = d.TotalSeconds - (hours * 3600) - (minutes * 60);
        var text = seconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
        if (hours > 0)
        {
            return $"{sign}{hours}h{minutes}m{text}";
        }
        return minutes > 0 ? $"{sign}{minutes}m{text}" : sign + text;
    }
}
