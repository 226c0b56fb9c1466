using Praetor.Client.Kv;

namespace Praetor.Client;

/// <summary>
/// A client of one agent's HTTP API, shaped like Consul's Go <c>api.Client</c>: <see cref="Kv"/>,
/// <see cref="Status"/> and <see cref="Agent"/> group the endpoints. Thread-safe; create one and
/// reuse it (it owns an <see cref="HttpClient"/>).
/// </summary>
public sealed class PraetorClient : IDisposable
{
    private readonly ApiTransport _transport;

    /// <summary>A client configured from <c>CONSUL_HTTP_ADDR</c>, <c>CONSUL_HTTP_TOKEN</c> and friends.</summary>
    public PraetorClient()
        : this(PraetorClientConfig.FromEnvironment())
    {
    }

    /// <summary>A client of <paramref name="address"/> (<c>127.0.0.1:8500</c>, <c>http://host:port</c>), token from the environment.</summary>
    public PraetorClient(string address)
        : this(PraetorClientConfig.FromEnvironment() with { Address = address })
    {
    }

    /// <param name="config">Where and how to reach the agent.</param>
    /// <param name="handler">Replaces the HTTP stack (tests); owned by the client from now on.</param>
    /// <exception cref="ArgumentException">The address has an unknown scheme or cannot be parsed.</exception>
    /// <exception cref="IOException">The token file cannot be read.</exception>
    public PraetorClient(PraetorClientConfig config, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!AgentAddress.TryParse(config.Address, config.Scheme, out var address, out var error))
        {
            throw new ArgumentException(error);
        }

        Config = config;
        _transport = new ApiTransport(address, ResolveToken(config), config.Datacenter, config.HttpAuth, handler, config.DirectRequests);
        Kv = new KvEndpoint(_transport);
        Status = new StatusEndpoint(_transport);
        Agent = new AgentEndpoint(_transport);
    }

    public PraetorClientConfig Config { get; }

    /// <summary>The resolved agent address (scheme, host, port, path prefix or unix socket).</summary>
    public AgentAddress Address => _transport.Address;

    public KvEndpoint Kv { get; }

    public StatusEndpoint Status { get; }

    public AgentEndpoint Agent { get; }

    public void Dispose() => _transport.Dispose();

    // As Go's api.NewClient: a readable, non-blank token file wins over the token.
    private static string? ResolveToken(PraetorClientConfig config)
    {
        if (string.IsNullOrEmpty(config.TokenFile))
        {
            return config.Token;
        }

        string contents;
        try
        {
            contents = File.ReadAllText(config.TokenFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Error loading token file {config.TokenFile} : {e.Message}", e);
        }

        return contents.Length > 0 ? contents : config.Token;
    }
}
