using System.Globalization;
using System.Text;

namespace Praetor.Client;

/// <summary>Collects a request's query parameters; flag parameters (<c>?recurse</c>) are sent with an empty value, as Go does.</summary>
internal sealed class ApiQuery
{
    private readonly List<KeyValuePair<string, string>> _parameters = [];
    private bool _hasDatacenter;

    public static ApiQuery For(QueryOptions? options)
    {
        var query = new ApiQuery();
        if (options is null)
        {
            return query;
        }

        query.AddDatacenter(options.Datacenter);
        if (options.AllowStale)
        {
            query.Add("stale", string.Empty);
        }

        if (options.RequireConsistent)
        {
            query.Add("consistent", string.Empty);
        }

        if (options.WaitIndex != 0)
        {
            query.Add("index", options.WaitIndex.ToString(CultureInfo.InvariantCulture));
        }

        if (options.WaitTime is { } wait)
        {
            query.Add("wait", ((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms");
        }

        if (!string.IsNullOrEmpty(options.Filter))
        {
            query.Add("filter", options.Filter);
        }

        if (options.RelayFactor != 0)
        {
            query.Add("relay-factor", options.RelayFactor);
        }

        if (options.LocalOnly)
        {
            query.Add("local-only", "true");
        }

        return query;
    }

    public static ApiQuery For(WriteOptions? options)
    {
        var query = new ApiQuery();
        query.AddDatacenter(options?.Datacenter);
        if (options is { RelayFactor: not 0 })
        {
            query.Add("relay-factor", options.RelayFactor);
        }
        return query;
    }

    /// <summary>True for a blocking query (<c>?index=</c>): the agent may hold the answer for minutes.</summary>
    public bool IsBlocking => _parameters.Exists(p => p.Key == "index");

    public ApiQuery Add(string name, string value)
    {
        _parameters.Add(new(name, value));
        return this;
    }

    public ApiQuery Add(string name, ulong value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The <c>?a=b&amp;c=</c> suffix, with the client's datacenter unless the request named one.</summary>
    public string ToQueryString(string? defaultDatacenter)
    {
        if (!_hasDatacenter && !string.IsNullOrEmpty(defaultDatacenter))
        {
            Add("dc", defaultDatacenter);
        }

        if (_parameters.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach (var (name, value) in _parameters)
        {
            builder.Append(builder.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    private void AddDatacenter(string? datacenter)
    {
        if (!string.IsNullOrEmpty(datacenter))
        {
            Add("dc", datacenter);
            _hasDatacenter = true;
        }
    }
}
