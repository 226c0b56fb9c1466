namespace Praetor.Client;

/// <summary>
/// Where and how to reach an agent, as Consul's Go <c>api.Config</c>: <see cref="Address"/> may be
/// <c>host:port</c>, <c>http://host:port[/prefix]</c>, <c>https://...</c> or <c>unix:///path</c>.
/// </summary>
public sealed record PraetorClientConfig
{
    public const string DefaultAddress = "127.0.0.1:8500";

    public string Address { get; init; } = DefaultAddress;

    /// <summary>Used when <see cref="Address"/> has no scheme of its own.</summary>
    public string Scheme { get; init; } = "http";

    /// <summary>Sent as <c>X-Consul-Token</c> unless a request names its own.</summary>
    public string? Token { get; init; }

    /// <summary>A file holding the token; when readable and not blank it wins over <see cref="Token"/> (as in Go).</summary>
    public string? TokenFile { get; init; }

    /// <summary>Sent as <c>?dc=</c> unless a request names its own.</summary>
    public string? Datacenter { get; init; }

    /// <summary><c>user:password</c> for HTTP basic authentication.</summary>
    public string? HttpAuth { get; init; }

    /// <summary>
    /// For a short-lived process that makes a few requests (the CLI): requests that do not wait
    /// (all but blocking queries) each get their own plain HTTP/1.1 connection and run on the
    /// calling thread, without the pooled HTTP stack. HTTPS and bodies of unknown length still
    /// go through the pooled stack.
    /// </summary>
    public bool DirectRequests { get; init; }

    /// <summary>The defaults overlaid with Consul's environment variables.</summary>
    public static PraetorClientConfig FromEnvironment(Func<string, string?>? getEnvironmentVariable = null)
    {
        var env = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
        var config = new PraetorClientConfig();
        if (NonEmpty(env("CONSUL_HTTP_ADDR")) is { } address)
        {
            config = config with { Address = address };
        }

        if (NonEmpty(env("CONSUL_HTTP_TOKEN")) is { } token)
        {
            config = config with { Token = token };
        }

        if (NonEmpty(env("CONSUL_HTTP_TOKEN_FILE")) is { } tokenFile)
        {
            config = config with { TokenFile = tokenFile };
        }

        if (NonEmpty(env("CONSUL_HTTP_AUTH")) is { } auth)
        {
            config = config with { HttpAuth = auth };
        }

        if (NonEmpty(env("CONSUL_HTTP_SSL")) is { } ssl && (ssl == "1" || ssl.Equals("true", StringComparison.OrdinalIgnoreCase)))
        {
            config = config with { Scheme = "https" };
        }

        return config;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
