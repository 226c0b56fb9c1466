using System.Text.Json;
using Praetor.Agent.Definitions;

namespace Praetor.Agent.Config;

/// <summary>
/// Applies one config file's top-level object onto the settings so far, by Consul's merge rules:
/// a scalar given replaces the one before, lists (<c>services</c>, <c>checks</c>, <c>recursors</c>,
/// <c>retry_join</c>, <c>watches</c>) append, maps (<c>node_meta</c>, and the objects <c>ports</c>,
/// <c>addresses</c>, <c>limits</c>, <c>dns_config</c>, <c>acl</c>) merge key by key. Keys match
/// case-insensitively, as Consul's decoder; an unknown key is a problem.
/// </summary>
internal sealed class ConfigFileReader
{
    private const string PortRange = "0-65535, or -1 to disable";
    private readonly ConfigValueReader _reader;

    public ConfigFileReader(ConfigValueReader reader, AgentConfig config)
    {
        _reader = reader;
        Config = config;
    }

    /// <summary>The settings with everything applied so far.</summary>
    public AgentConfig Config { get; private set; }

    public void Apply(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            _reader.Problem("", $"a config file must hold one JSON object, got {ConfigValueReader.Describe(root)}");
            return;
        }

        foreach (var (name, value, _) in ConfigValueReader.SetMembers(root, ""))
        {
            ApplyKey(name, value);
        }
    }

    private void ApplyKey(string name, JsonElement value)
    {
        var r = _reader;
        var c = Config;
        string text;
        bool flag;
        int number;
        TimeSpan duration;
        switch (name.ToLowerInvariant())
        {
            case "datacenter":
                Config = r.TryString(value, name, out text) ? c with { Datacenter = text.ToLowerInvariant() } : c;
                break;
            case "data_dir":
                Config = r.TryString(value, name, out text) ? c with { DataDir = text } : c;
                break;
            case "node_name":
                Config = r.TryString(value, name, out text) ? c with { NodeName = text } : c;
                break;
            case "node_id":
                if (r.TryString(value, name, out text))
                {
                    if (text.Length > 0 && !Guid.TryParseExact(text, "D", out _))
                    {
                        r.Problem(name, $"{GoStrconv.Quote(text)} is not a UUID");
                    }

                    Config = c with { NodeId = text.ToLowerInvariant() };
                }

                break;
            case "node_meta":
                Config = r.TryStringMap(value, name, out var meta) && r.CheckMeta(meta, name) ? c with { NodeMeta = Merge(c.NodeMeta, meta) } : c;
                break;
            case "server":
                Config = r.TryBool(value, name, out flag) ? c with { Server = flag } : c;
                break;
            case "bootstrap":
                Config = r.TryBool(value, name, out flag) ? c with { Bootstrap = flag } : c;
                break;
            case "bootstrap_expect":
                Config = r.TryInt(value, name, 0, int.MaxValue, "0 or more", out number) ? c with { BootstrapExpect = number } : c;
                break;
            case "client_addr":
                Config = TryAddress(value, name, out text) ? c with { ClientAddr = text } : c;
                break;
            case "bind_addr":
                Config = TryAddress(value, name, out text) ? c with { BindAddr = text } : c;
                break;
            case "advertise_addr":
                Config = TryAddress(value, name, out text) ? c with { AdvertiseAddr = text } : c;
                break;
            case "advertise_addr_wan":
                Config = TryAddress(value, name, out text) ? c with { AdvertiseAddrWan = text } : c;
                break;
            case "serf_wan":
                Config = TryAddress(value, name, out text) ? c with { SerfWanBindAddr = text } : c;
                break;
            case "log_level":
                if (r.TryString(value, name, out text))
                {
                    // Consul (hclog) reads levels case-insensitively and knows "warning" too.
                    var level = text.ToLowerInvariant() switch { "warning" => "warn", "err" => "error", var l => l };
                    if (level is not ("trace" or "debug" or "info" or "warn" or "error"))
                    {
                        r.Problem(name, $"{GoStrconv.Quote(text)} is not one of trace, debug, info, warn, error");
                    }

                    Config = c with { LogLevel = level };
                }

                break;
            case "ports":
                ApplyPorts(value, name);
                break;
            case "addresses":
                ApplyAddresses(value, name);
                break;
            case "event_handlers":
                Config = r.TryStringList(value, name, out var handlers) ? c with { EventHandlers = [.. c.EventHandlers, .. handlers] } : c;
                break;
            case "recursors":
                Config = r.TryStringList(value, name, out var recursors) ? c with { Recursors = [.. c.Recursors, .. recursors] } : c;
                break;
            case "recursor":
                // Consul 0.4's single upstream, as in seed 001: { "recursor": "8.8.8.8" }.
                Config = r.TryString(value, name, out text) ? c with { Recursors = [.. c.Recursors, text] } : c;
                break;
            case "domain":
                Config = r.TryString(value, name, out text) ? c with { Domain = DnsDomain(text) } : c;
                break;
            case "alt_domain":
                Config = r.TryString(value, name, out text) ? c with { AltDomain = text.Length == 0 ? "" : DnsDomain(text) } : c;
                break;
            case "dns_config":
                Config = c with { Dns = DnsSettingsReader.Apply(r, value, name, c.Dns) };
                break;
            case "gossip_lan":
                Config = c with { GossipLan = GossipSettingsReader.Apply(r, value, name, c.GossipLan) };
                break;
            case "gossip_wan":
                Config = c with { GossipWan = GossipSettingsReader.Apply(r, value, name, c.GossipWan) };
                break;
            case "enable_script_checks":
                Config = r.TryBool(value, name, out flag) ? c with { EnableScriptChecks = flag } : c;
                break;
            case "enable_local_script_checks":
                Config = r.TryBool(value, name, out flag) ? c with { EnableLocalScriptChecks = flag } : c;
                break;
            case "disable_remote_exec":
                Config = r.TryBool(value, name, out flag) ? c with { DisableRemoteExec = flag } : c;
                break;
            case "ui":
                Config = r.TryBool(value, name, out flag) ? c with { UiEnabled = flag } : c;
                break;
            case "ui_config":
                ApplyUiConfig(value, name);
                break;
            case "service":
                if (ServiceDefinitionReader.Read(r, value, name) is { } service)
                {
                    Config = c with { Services = [.. c.Services, service] };
                }

                break;
            case "services":
                ApplyList(value, name, (element, path) => ServiceDefinitionReader.Read(r, element, path), services => Config = Config with { Services = [.. Config.Services, .. services] });
                break;
            case "check":
                if (CheckDefinitionReader.Read(r, value, name, ofService: false) is { } check)
                {
                    Config = c with { Checks = [.. c.Checks, check] };
                }

                break;
            case "checks":
                ApplyList(value, name, (element, path) => CheckDefinitionReader.Read(r, element, path, ofService: false), checks => Config = Config with { Checks = [.. Config.Checks, .. checks] });
                break;
            case "limits":
                ApplyLimits(value, name);
                break;
            case "default_query_time":
                Config = r.TryDuration(value, name, out duration) ? c with { DefaultQueryTime = duration } : c;
                break;
            case "session_ttl_min":
                Config = r.TryDuration(value, name, out duration) ? c with { SessionTtlMin = duration } : c;
                break;
            case "max_query_time":
                Config = r.TryDuration(value, name, out duration) ? c with { MaxQueryTime = duration } : c;
                break;
            case "encrypt":
                if (r.TryString(value, name, out text))
                {
                    if (EncryptKeyProblem(text) is { } problem)
                    {
                        r.Problem(name, problem);
                    }

                    Config = c with { Encrypt = text.Length == 0 ? null : text };
                }

                break;
            case "retry_join":
                Config = r.TryStringList(value, name, out var retryJoin) ? c with { RetryJoin = [.. c.RetryJoin, .. retryJoin] } : c;
                break;
            case "retry_interval":
                Config = r.TryDuration(value, name, out duration) ? c with { RetryInterval = duration } : c;
                break;
            case "retry_max":
                Config = r.TryInt(value, name, 0, int.MaxValue, "0 or more", out number) ? c with { RetryMax = number } : c;
                break;
            case "start_join":
                Config = r.TryStringList(value, name, out var startJoin) ? c with { StartJoin = [.. c.StartJoin, .. startJoin] } : c;
                break;
            case "retry_join_wan":
                Config = r.TryStringList(value, name, out var retryJoinWan) ? c with { RetryJoinWan = [.. c.RetryJoinWan, .. retryJoinWan] } : c;
                break;
            case "start_join_wan":
                Config = r.TryStringList(value, name, out var startJoinWan) ? c with { StartJoinWan = [.. c.StartJoinWan, .. startJoinWan] } : c;
                break;
            case "retry_interval_wan":
                Config = r.TryDuration(value, name, out duration) ? c with { RetryIntervalWan = duration } : c;
                break;
            case "retry_max_wan":
                Config = r.TryInt(value, name, 0, int.MaxValue, "0 or more", out number) ? c with { RetryMaxWan = number } : c;
                break;
            case "rejoin_after_leave":
                Config = r.TryBool(value, name, out flag) ? c with { RejoinAfterLeave = flag } : c;
                break;
            case "leave_on_terminate":
                Config = r.TryBool(value, name, out flag) ? c with { LeaveOnTerminate = flag } : c;
                break;
            case "skip_leave_on_interrupt":
                Config = r.TryBool(value, name, out flag) ? c with { SkipLeaveOnInterrupt = flag } : c;
                break;
            case "disable_update_check":
                Config = r.TryBool(value, name, out flag) ? c with { DisableUpdateCheck = flag } : c;
                break;
            case "segments":
                // Network segments are Consul Enterprise; Go's sdk/testutil sends "segments": null
                // (skipped above as unset), and an empty list means the same.
                if (r.TryArray(value, name) && value.GetArrayLength() > 0)
                {
                    r.Problem(name, "network segments are a Consul Enterprise feature and are not supported");
                }

                break;
            case "watches":
                ApplyList(value, name, (element, path) => WatchDefinitionReader.Read(r, element, path), watches => Config = Config with { Watches = [.. Config.Watches, .. watches] });
                break;
            case "autopilot":
                ApplyAutopilot(value, name);
                break;
            case "performance":
                ApplyPerformance(value, name);
                break;
            case "acl":
                Config = c with { Acl = AclSettingsReader.Apply(r, value, name, c.Acl) };
                break;
            case "version" or "connect" or "peering":
                // Sent by Go's sdk/testutil harness (consul-api.md 4.3); Connect and peering do not
                // exist here, so their settings are accepted and have no effect.
                break;
            default:
                r.UnknownKey(name);
                break;
        }
    }

    /// <summary>Reads every element of a list, reporting each bad one, and appends those read without problems.</summary>
    private void ApplyList<T>(JsonElement value, string path, Func<JsonElement, string, T?> read, Action<List<T>> append)
        where T : class
    {
        if (!_reader.TryArray(value, path))
        {
            return;
        }

        var items = new List<T>();
        foreach (var (element, elementPath) in ConfigValueReader.SetElements(value, path))
        {
            if (read(element, elementPath) is { } item)
            {
                items.Add(item);
            }
        }

        append(items);
    }

    private void ApplyPorts(JsonElement value, string path)
    {
        if (!_reader.TryObject(value, path))
        {
            return;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            var name = key.ToLowerInvariant();
            if (name is not ("http" or "dns" or "serf_lan" or "serf_wan" or "server" or "https" or "grpc" or "grpc_tls"))
            {
                _reader.UnknownKey(keyPath);
                continue;
            }

            if (!_reader.TryInt(item, keyPath, -1, 65535, PortRange, out var port))
            {
                continue;
            }

            Config = name switch
            {
                "http" => Config with { HttpPort = port },
                "dns" => Config with { DnsPort = port },
                "serf_lan" => Config with { SerfLanPort = port },
                "serf_wan" => Config with { SerfWanPort = port },
                "server" => Config with { ServerPort = port },
                "https" => Config with { HttpsPort = port },
                "grpc" => Config with { GrpcPort = port },
                // grpc_tls: sent by Go's test harness; no gRPC TLS listener exists.
                _ => Config,
            };
        }
    }

    private void ApplyAddresses(JsonElement value, string path)
    {
        if (!_reader.TryObject(value, path))
        {
            return;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            var name = key.ToLowerInvariant();
            if (name is not ("http" or "dns" or "https" or "grpc" or "grpc_tls"))
            {
                _reader.UnknownKey(keyPath);
                continue;
            }

            if (!TryAddress(item, keyPath, out var address))
            {
                continue;
            }

            Config = name switch
            {
                "http" => Config with { HttpAddr = address },
                "dns" => Config with { DnsAddr = address },
                // https, grpc, grpc_tls: no such listeners exist yet.
                _ => Config,
            };
        }
    }

    private void ApplyLimits(JsonElement value, string path)
    {
        if (!_reader.TryObject(value, path))
        {
            return;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            switch (key.ToLowerInvariant())
            {
                case "kv_max_value_size":
                    if (_reader.TryInt(item, keyPath, 1, int.MaxValue, "1 byte or more", out var kv))
                    {
                        Config = Config with { KvMaxValueSizeBytes = kv };
                    }

                    break;
                case "txn_max_req_len":
                    if (_reader.TryInt(item, keyPath, 1, int.MaxValue, "1 byte or more", out var txn))
                    {
                        Config = Config with { TxnMaxRequestBytes = txn };
                    }

                    break;
                default:
                    _reader.UnknownKey(keyPath);
                    break;
            }
        }
    }

    private void ApplyPerformance(JsonElement value, string path)
    {
        if (!_reader.TryObject(value, path))
        {
            return;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            if (!key.Equals("raft_multiplier", StringComparison.OrdinalIgnoreCase))
            {
                _reader.UnknownKey(keyPath);
            }
            else if (_reader.TryInt(item, keyPath, 0, 10, "1-10, or 0 for the default 5", out var multiplier))
            {
                Config = Config with { RaftMultiplier = multiplier == 0 ? 5 : multiplier };
            }
        }
    }

    private void ApplyAutopilot(JsonElement value, string path)
    {
        if (!_reader.TryObject(value, path))
        {
            return;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            if (!key.Equals("server_stabilization_time", StringComparison.OrdinalIgnoreCase))
            {
                _reader.UnknownKey(keyPath);
            }
            else if (_reader.TryDuration(item, keyPath, out var stabilization))
            {
                Config = Config with { ServerStabilizationTime = stabilization };
            }
        }
    }

    private void ApplyUiConfig(JsonElement value, string path)
    {
        if (!_reader.TryObject(value, path))
        {
            return;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            if (!key.Equals("enabled", StringComparison.OrdinalIgnoreCase))
            {
                _reader.UnknownKey(keyPath);
            }
            else if (_reader.TryBool(item, keyPath, out var enabled))
            {
                Config = Config with { UiEnabled = enabled };
            }
        }
    }

    /// <summary>An IP address (go-sockaddr templates and unix sockets are not supported yet).</summary>
    private bool TryAddress(JsonElement value, string path, out string address)
    {
        if (!_reader.TryString(value, path, out address))
        {
            return false;
        }

        if (!System.Net.IPAddress.TryParse(address, out _))
        {
            _reader.Problem(path, $"{GoStrconv.Quote(address)} is not an IP address");
            return false;
        }

        return true;
    }

    /// <summary>Consul's merge of a map given again: keys of <paramref name="after"/> replace or add to those before.</summary>
    internal static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> before, Dictionary<string, string> after)
    {
        var merged = new Dictionary<string, string>(before, StringComparer.Ordinal);
        foreach (var (key, value) in after)
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>Consul keeps the domain fully qualified: <c>consul</c> becomes <c>consul.</c>.</summary>
    private static string DnsDomain(string text) => text.EndsWith('.') ? text : text + ".";

    /// <summary>Consul's check on a gossip key: base64 of 16, 24 or 32 bytes (AES-128/192/256).</summary>
    internal static string? EncryptKeyProblem(string key)
    {
        if (key.Length == 0)
        {
            return null;
        }

        if (!TryDecodedKeyLength(key, out var length))
        {
            return "not a base64 key (use `praetor keygen`)";
        }

        return Praetor.Gossip.Memberlist.Wire.Keyring.IsValidKeyLength(length) ? null : $"the key is {length} bytes; it must be 16, 24 or 32 bytes, base64-encoded";
    }

    /// <summary>The length of the key that base64 <paramref name="key"/> decodes to; false when it is not base64.</summary>
    internal static bool TryDecodedKeyLength(string key, out int length) =>
        Convert.TryFromBase64String(key, new byte[key.Length], out length);
}
