namespace Praetor.Cli.Kv;

/// <summary>Go's <c>path.Join</c> and <c>path.Clean</c>, which <c>kv import -prefix</c> applies to every key.</summary>
public static class GoPath
{
    /// <summary>Joins the non-empty elements with '/' and cleans the result; empty when all are empty.</summary>
    public static string Join(params string[] elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        var nonEmpty = new List<string>(elements.Length);
        foreach (var element in elements)
        {
            if (element.Length > 0)
            {
                nonEmpty.Add(element);
            }
        }

        return nonEmpty.Count == 0 ? string.Empty : Clean(string.Join('/', nonEmpty));
    }

    /// <summary>Collapses repeated slashes, drops "." segments, resolves ".." lexically, drops a trailing slash.</summary>
    public static string Clean(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rooted = path.StartsWith('/');
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            switch (segment)
            {
                case "" or ".":
                    break;
                case "..":
                    if (segments.Count > 0 && segments[^1] != "..")
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }
                    else if (!rooted)
                    {
                        segments.Add("..");
                    }

                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }

        var cleaned = string.Join('/', segments);
        return rooted ? "/" + cleaned : cleaned.Length == 0 ? "." : cleaned;
    }
}
