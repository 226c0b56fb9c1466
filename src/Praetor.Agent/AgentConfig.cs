namespace Praetor.Agent;

/// <summary>
/// The agent's settings, with Consul's defaults. Built by the CLI from flags and config files;
/// validated once by <see cref="Validate"/>, which reports every problem, not only the first.
/// </summary>
public sealed record AgentConfig
{
    public const int PortDisabled = -1;

    public string NodeName { get; init; } = Environment.MachineName;

    /// <summary>The node's ID (a UUID); generated at start when empty.</summary>
    public string NodeId { get; init; } = "";

    public string Datacenter { get; init; } = "dc1";

    public bool Server { get; init; }

    public bool DevMode { get; init; }

    public bool Bootstrap { get; init; }

    public string? DataDir { get; init; }

    /// <summary>Address the client interfaces (HTTP, DNS) listen on.</summary>
    public string ClientAddr { get; init; } = "127.0.0.1";

    /// <summary>Address the cluster interfaces (gossip, server RPC) bind to.</summary>
    public string BindAddr { get; init; } = "0.0.0.0";

    /// <summary>Address advertised to other nodes; the bind address when empty and specific.</summary>
    public string? AdvertiseAddr { get; init; }

    /// <summary>HTTP API port (8500); 0 picks a free port, -1 disables.</summary>
    public int HttpPort { get; init; } = 8500;

    public int DnsPort { get; init; } = 8600;

    public int SerfLanPort { get; init; } = 8301;

    public int SerfWanPort { get; init; } = 8302;

    public int ServerPort { get; init; } = 8300;

    public string LogLevel { get; init; } = "info";

    /// <summary>Largest KV value accepted (Consul's <c>limits.kv_max_value_size</c>), 512 KiB.</summary>
    public int KvMaxValueSizeBytes { get; init; } = 512 * 1024;

    /// <summary>Largest <c>/v1/txn</c> body (Consul's <c>limits.txn_max_req_len</c>), 512 KiB.</summary>
    public int TxnMaxRequestBytes { get; init; } = 512 * 1024;

    /// <summary>Blocking-query wait when the client gives none (Consul's <c>default_query_time</c>).</summary>
    public TimeSpan DefaultQueryTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest blocking-query wait honoured (Consul's <c>max_query_time</c>).</summary>
    public TimeSpan MaxQueryTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a deleted KV key's tombstone keeps prefix indexes from sliding back (Consul: 15m).</summary>
    public TimeSpan TombstoneTtl { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The address other nodes reach this one at.</summary>
    public string AdvertiseAddress =>
        !string.IsNullOrEmpty(AdvertiseAddr) ? AdvertiseAddr
        : BindAddr is "0.0.0.0" or "::" or "" ? "127.0.0.1" : BindAddr;

    /// <summary>Every problem with these settings, each naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(NodeName))
        {
            problems.Add("node_name: must not be empty");
        }
        if (string.IsNullOrWhiteSpace(Datacenter) || !IsDnsLabel(Datacenter))
        {
            problems.Add($"datacenter: \"{Datacenter}\" must be letters, digits, '-' and '_' only");
        }
        CheckPort(problems, "http", HttpPort);
        CheckPort(problems, "dns", DnsPort);
        CheckPort(problems, "serf_lan", SerfLanPort);
        CheckPort(problems, "serf_wan", SerfWanPort);
        CheckPort(problems, "server", ServerPort);
        if (!System.Net.IPAddress.TryParse(ClientAddr, out _))
        {
            problems.Add($"client_addr: \"{ClientAddr}\" is not an IP address");
        }
        if (!System.Net.IPAddress.TryParse(BindAddr, out _))
        {
            problems.Add($"bind_addr: \"{BindAddr}\" is not an IP address");
        }
        if (!string.IsNullOrEmpty(AdvertiseAddr) && !System.Net.IPAddress.TryParse(AdvertiseAddr, out _))
        {
            problems.Add($"advertise_addr: \"{AdvertiseAddr}\" is not an IP address");
        }
        if (KvMaxValueSizeBytes <= 0)
        {
            problems.Add("limits.kv_max_value_size: must be positive");
        }
        if (DefaultQueryTime <= TimeSpan.Zero || MaxQueryTime <= TimeSpan.Zero)
        {
            problems.Add("default_query_time / max_query_time: must be positive");
        }
        if (!DevMode)
        {
            // Durable servers (write-ahead log in data_dir, Raft) and client agents come with
            // clustering; until then only the in-memory dev server exists, and saying so beats
            // a server that silently loses its data on restart.
            problems.Add("dev: only -dev agents exist so far (in-memory single server); durable servers and clients arrive with clustering");
        }
        return problems;
    }

    private static void CheckPort(List<string> problems, string name, int port)
    {
        if (port is < -1 or > 65535)
        {
            problems.Add($"ports.{name}: {port} is not a port (0-65535, or -1 to disable)");
        }
    }

    private static bool IsDnsLabel(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }
        return true;
    }
}
