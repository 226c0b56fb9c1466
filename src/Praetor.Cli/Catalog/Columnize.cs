using System.Text;

namespace Praetor.Cli.Catalog;

/// <summary>
/// The table layout of Consul's CLI (<c>github.com/ryanuber/columnize</c> with its defaults):
/// each cell trimmed, every column but the last padded to its widest cell, columns joined by two
/// spaces, no newline after the last row.
/// </summary>
public static class Columnize
{
    public static string Format(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var widths = new List<int>();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Count; i++)
            {
                var width = row[i].Trim().Length;
                if (i == widths.Count)
                {
                    widths.Add(width);
                }
                else if (widths[i] < width)
                {
                    widths[i] = width;
                }
            }
        }

        var output = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Count; i++)
            {
                var cell = row[i].Trim();
                output.Append(i == row.Count - 1 ? cell : cell.PadRight(widths[i]) + "  ");
            }

            output.Append('\n');
        }

        if (output.Length > 0)
        {
            output.Length--;
        }

        return output.ToString();
    }

    /// <summary>A map as sorted <c>key=value</c> pairs joined by <paramref name="joiner"/> (Consul's <c>mapToKV</c>).</summary>
    public static string KeyValues(IReadOnlyDictionary<string, string>? map, string joiner)
    {
        ArgumentNullException.ThrowIfNull(joiner);
        if (map is null)
        {
            return string.Empty;
        }

        var keys = new List<string>(map.Keys);
        keys.Sort(StringComparer.Ordinal);
        return string.Join(joiner, keys.Select(key => $"{key}={map[key]}"));
    }
}
