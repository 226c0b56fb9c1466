using System.Diagnostics.CodeAnalysis;
using Praetor.Cli.Flags;
using Praetor.Client;

namespace Praetor.Cli;

/// <summary>
/// The flags every HTTP-using command takes (Consul's <c>HTTPFlags</c>: client and server flags),
/// merged over the <c>CONSUL_HTTP_*</c> environment into a <see cref="PraetorClient"/>.
/// </summary>
public sealed class HttpFlags
{
    private static readonly HashSet<string> Names =
    [
        "http-addr", "token", "token-file", "ca-file", "ca-path", "client-cert", "client-key", "tls-server-name", "datacenter", "stale",
    ];

    private readonly GoFlag<string> _address;
    private readonly GoFlag<string> _token;
    private readonly GoFlag<string> _tokenFile;
    private readonly GoFlag<string>[] _tlsFlags;
    private readonly GoFlag<string> _datacenter;
    private readonly GoFlag<bool> _stale;

    public HttpFlags(GoFlagSet flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        _address = flags.String("http-addr", string.Empty,
            "The `address` and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also " +
            "include the port. This can also be specified via the CONSUL_HTTP_ADDR environment variable. The default value is " +
            "http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the environment variable CONSUL_HTTP_SSL=true.");
        _token = flags.String("token", string.Empty,
            "ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable. " +
            "If unspecified, the query will default to the token of the Consul agent at the HTTP address.");
        _tokenFile = flags.String("token-file", string.Empty,
            "File containing the ACL token to use in the request instead of one specified via the -token argument or " +
            "CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.");
        _tlsFlags =
        [
            flags.String("ca-file", string.Empty, "Path to a CA file to use for TLS when communicating with Consul (not supported yet)."),
            flags.String("ca-path", string.Empty, "Path to a directory of CA certificates to use for TLS (not supported yet)."),
            flags.String("client-cert", string.Empty, "Path to a client cert file to use for TLS (not supported yet)."),
            flags.String("client-key", string.Empty, "Path to a client key file to use for TLS (not supported yet)."),
            flags.String("tls-server-name", string.Empty, "The server name to use as the SNI host when connecting via TLS (not supported yet)."),
        ];
        _datacenter = flags.String("datacenter", string.Empty,
            "Name of the datacenter to query. If unspecified, this will default to the datacenter of the queried agent.");
        _stale = flags.Bool("stale", false,
            "Permit any Consul server (non-leader) to respond to this request. This allows for lower latency and higher " +
            "throughput, but can result in stale data. This option has no effect on non-read operations. The default value is false.");
    }

    /// <summary>Read options carrying <c>-stale</c>.</summary>
    public QueryOptions QueryOptions => new() { AllowStale = _stale.Value };

    /// <summary>True for the flags this class defines, which help lists under "HTTP API Options".</summary>
    public static bool IsHttpFlag(GoFlag flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        return Names.Contains(flag.Name);
    }

    /// <summary>Builds the client; on failure the error completes "Error connecting to Consul agent: ...".</summary>
    public bool TryCreateClient(CliContext context, [NotNullWhen(true)] out PraetorClient? client, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        client = null;
        foreach (var tls in _tlsFlags)
        {
            if (tls.IsSet)
            {
                error = $"-{tls.Name} is not supported yet: Praetor's CLI speaks plain HTTP or a unix socket";
                return false;
            }
        }

        var config = PraetorClientConfig.FromEnvironment(context.GetEnvironmentVariable);
        if (_address.IsSet)
        {
            config = config with { Address = _address.Value };
        }

        if (_token.IsSet)
        {
            config = config with { Token = _token.Value };
        }

        if (_tokenFile.IsSet)
        {
            config = config with { TokenFile = _tokenFile.Value };
        }

        if (_datacenter.IsSet)
        {
            config = config with { Datacenter = _datacenter.Value };
        }

        try
        {
            // A CLI run makes a few short requests: each on its own connection, on this thread.
            client = new PraetorClient(config with { DirectRequests = true });
            error = null;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            error = e.Message;
            return false;
        }
    }
}
