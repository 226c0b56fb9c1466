using System.Diagnostics.CodeAnalysis;

namespace Praetor.Client;

/// <summary>An agent's HTTP address resolved the way Consul's Go client reads <c>CONSUL_HTTP_ADDR</c>.</summary>
public sealed record AgentAddress
{
    private AgentAddress(Uri baseUri, string? unixSocketPath)
    {
        BaseUri = baseUri;
        UnixSocketPath = unixSocketPath;
    }

    /// <summary>Scheme, host, port and path prefix, ending in <c>/</c>; <c>v1/...</c> is appended to it.</summary>
    public Uri BaseUri { get; }

    /// <summary>Set for <c>unix://</c> addresses; requests then go over that socket.</summary>
    public string? UnixSocketPath { get; }

    /// <summary>Parses <c>host:port</c>, <c>scheme://host:port[/prefix]</c> or <c>unix:///path</c>.</summary>
    public static bool TryParse(string address, string defaultScheme, [NotNullWhen(true)] out AgentAddress? result, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(address);
        result = null;
        var scheme = defaultScheme;
        var rest = address;
        var separator = address.IndexOf("://", StringComparison.Ordinal);
        if (separator >= 0)
        {
            scheme = address[..separator];
            rest = address[(separator + 3)..];
            if (scheme is not ("http" or "https" or "unix"))
            {
                error = $"Unknown protocol scheme: {scheme}";
                return false;
            }
        }

        if (scheme == "unix")
        {
            result = new AgentAddress(new Uri("http://localhost/"), rest);
            error = null;
            return true;
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var hostPort = slash >= 0 ? rest[..slash] : rest;
        var prefix = slash >= 0 ? rest[slash..].TrimEnd('/') : string.Empty;
        if (hostPort.Length == 0 || !Uri.TryCreate($"{scheme}://{hostPort}{prefix}/", UriKind.Absolute, out var uri))
        {
            error = $"Invalid agent address: {address}";
            return false;
        }

        result = new AgentAddress(uri, null);
        error = null;
        return true;
    }

    public override string ToString() => UnixSocketPath is null ? BaseUri.ToString() : $"unix://{UnixSocketPath}";
}
