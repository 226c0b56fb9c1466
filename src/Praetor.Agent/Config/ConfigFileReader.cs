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

        foreach (var property in root.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Null)
            {
                ApplyKey(property.Name, property.Value);
            }
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
                if (r.TryString(value, name, out text))
                {
                    Config = c with { Datacenter = text.ToLowerInvariant() };
                }

                break;
            case "data_dir":
                if (r.TryString(value, name, out text))
                {
                    Config = c with { DataDir = text };
                }

                break;
            case "node_name":
                if (r.TryString(value, name, out text))
                {
                    Config = c with { NodeName = text };
                }

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
                if (r.TryStringMap(value, name, out var meta) && r.CheckMeta(meta, name))
                {
                    Config = c with { NodeMeta = Merge(c.NodeMeta, meta) };
                }

                break;
            case "server":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { Server = flag };
                }

                break;
            case "bootstrap":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { Bootstrap = flag };
                }

                break;
            case "bootstrap_expect":
                if (r.TryInt(value, name, 0, int.MaxValue, "0 or more", out number))
                {
                    Config = c with { BootstrapExpect = number };
                }

                break;
            case "client_addr":
                if (TryAddress(value, name, out text))
                {
                    Config = c with { ClientAddr = text };
                }

                break;
            case "bind_addr":
                if (TryAddress(value, name, out text))
                {
                    Config = c with { BindAddr = text };
                }

                break;
            case "advertise_addr":
                if (TryAddress(value, name, out text))
                {
                    Config = c with { AdvertiseAddr = text };
                }

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
            case "recursors":
                if (r.TryStringList(value, name, out var recursors))
                {
                    Config = c with { Recursors = [.. c.Recursors, .. recursors] };
                }

                break;
            case "recursor":
                // Consul 0.4's single upstream, as in seed 001: { "recursor": "8.8.8.8" }.
                if (r.TryString(value, name, out text))
                {
                    Config = c with { Recursors = [.. c.Recursors, text] };
                }

                break;
            case "domain":
                if (r.TryString(value, name, out text))
                {
                    Config = c with { Domain = DnsDomain(text) };
                }

                break;
            case "alt_domain":
                if (r.TryString(value, name, out text))
                {
                    Config = c with { AltDomain = text.Length == 0 ? "" : DnsDomain(text) };
                }

                break;
            case "dns_config":
                Config = c with { Dns = DnsSettingsReader.Apply(r, value, name, c.Dns) };
                break;
            case "enable_script_checks":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { EnableScriptChecks = flag };
                }

                break;
            case "enable_local_script_checks":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { EnableLocalScriptChecks = flag };
                }

                break;
            case "disable_remote_exec":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { DisableRemoteExec = flag };
                }

                break;
            case "ui":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { UiEnabled = flag };
                }

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
                if (r.TryDuration(value, name, out duration))
                {
                    Config = c with { DefaultQueryTime = duration };
                }

                break;
            case "max_query_time":
                if (r.TryDuration(value, name, out duration))
                {
                    Config = c with { MaxQueryTime = duration };
                }

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
                if (r.TryStringList(value, name, out var retryJoin))
                {
                    Config = c with { RetryJoin = [.. c.RetryJoin, .. retryJoin] };
                }

                break;
            case "start_join":
                if (r.TryStringList(value, name, out var startJoin))
                {
                    Config = c with { StartJoin = [.. c.StartJoin, .. startJoin] };
                }

                break;
            case "rejoin_after_leave":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { RejoinAfterLeave = flag };
                }

                break;
            case "leave_on_terminate":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { LeaveOnTerminate = flag };
                }

                break;
            case "skip_leave_on_interrupt":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { SkipLeaveOnInterrupt = flag };
                }

                break;
            case "disable_update_check":
                if (r.TryBool(value, name, out flag))
                {
                    Config = c with { DisableUpdateCheck = flag };
                }

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
                ApplyWatches(value, name);
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
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Null && read(element, ConfigValueReader.Index(path, index)) is { } item)
            {
                items.Add(item);
            }

            index++;
        }

        append(items);
    }

    /// <summary><c>watches</c>: a list of objects, kept as given for the watch runner to read (type, parameters, handler).</summary>
    private void ApplyWatches(JsonElement value, string path)
    {
        if (!_reader.TryArray(value, path))
        {
            return;
        }

        var watches = new List<JsonElement>(Config.Watches);
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Null && _reader.TryObject(element, ConfigValueReader.Index(path, index)))
            {
                watches.Add(element.Clone());
            }

            index++;
        }

        Config = Config with { Watches = watches };
    }

    private void ApplyPorts(JsonElement value, string path)
    {
        if (!_reader.TryObject(value, path))
        {
            return;
        }

        foreach (var property in value.EnumerateObject())
        {
            var keyPath = ConfigValueReader.Key(path, property.Name);
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var name = property.Name.ToLowerInvariant();
            if (name is not ("http" or "dns" or "serf_lan" or "serf_wan" or "server" or "https" or "grpc" or "grpc_tls"))
            {
                _reader.UnknownKey(keyPath);
                continue;
            }

            if (!_reader.TryInt(property.Value, keyPath, -1, 65535, PortRange, out var port))
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

        foreach (var property in value.EnumerateObject())
        {
            var keyPath = ConfigValueReader.Key(path, property.Name);
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var name = property.Name.ToLowerInvariant();
            if (name is not ("http" or "dns" or "https" or "grpc" or "grpc_tls"))
            {
                _reader.UnknownKey(keyPath);
                continue;
            }

            if (!TryAddress(property.Value, keyPath, out var address))
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

        foreach (var property in value.EnumerateObject())
        {
            var keyPath = ConfigValueReader.Key(path, property.Name);
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            switch (property.Name.ToLowerInvariant())
            {
                case "kv_max_value_size":
                    if (_reader.TryInt(property.Value, keyPath, 1, int.MaxValue, "1 byte or more", out var kv))
                    {
                        Config = Config with { KvMaxValueSizeBytes = kv };
                    }

                    break;
                case "txn_max_req_len":
                    if (_reader.TryInt(property.Value, keyPath, 1, int.MaxValue, "1 byte or more", out var txn))
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

        foreach (var property in value.EnumerateObject())
        {
            var keyPath = ConfigValueReader.Key(path, property.Name);
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (!property.Name.Equals("raft_multiplier", StringComparison.OrdinalIgnoreCase))
            {
                _reader.UnknownKey(keyPath);
            }
            else if (_reader.TryInt(property.Value, keyPath, 0, 10, "1-10, or 0 for the default 5", out var multiplier))
            {
                Config = Config with { RaftMultiplier = multiplier == 0 ? 5 : multiplier };
            }
        }
    }

    private void ApplyUiConfig(JsonElement value, string path)
    {
        if (!_reader.TryObject(value, path))
        {
            return;
        }

        foreach (var property in value.EnumerateObject())
        {
            var keyPath = ConfigValueReader.Key(path, property.Name);
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (!property.Name.Equals("enabled", StringComparison.OrdinalIgnoreCase))
            {
                _reader.UnknownKey(keyPath);
            }
            else if (_reader.TryBool(property.Value, keyPath, out var enabled))
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

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> before, Dictionary<string, string> after)
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

        var bytes = new byte[key.Length];
        if (!Convert.TryFromBase64String(key, bytes, out var length))
        {
            return "not a base64 key (use `praetor keygen`)";
        }

        return length is 16 or 24 or 32 ? null : $"the key is {length} bytes; it must be 16, 24 or 32 bytes, base64-encoded";
    }
}
