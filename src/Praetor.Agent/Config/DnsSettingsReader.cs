using System.Text.Json;

namespace Praetor.Agent.Config;

/// <summary>Reads <c>dns_config</c> onto the settings so far, key by key.</summary>
internal static class DnsSettingsReader
{
    /// <summary>Consul's other <c>dns_config</c> keys: accepted and kept as given for the DNS interface.</summary>
    private static readonly HashSet<string> OtherKeys = new(StringComparer.Ordinal)
    {
        "cache_max_age", "prefer_namespace", "use_cache",
    };

    public static DnsSettings Apply(ConfigValueReader reader, JsonElement value, string path, DnsSettings dns)
    {
        if (!reader.TryObject(value, path))
        {
            return dns;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            var name = key.ToLowerInvariant();
            TimeSpan duration;
            bool flag;
            switch (name)
            {
                case "node_ttl":
                    dns = reader.TryDuration(item, keyPath, out duration) ? dns with { NodeTtl = duration } : dns;
                    break;
                case "service_ttl":
                    dns = ReadServiceTtl(reader, item, keyPath, dns);
                    break;
                case "allow_stale":
                    dns = reader.TryBool(item, keyPath, out flag) ? dns with { AllowStale = flag } : dns;
                    break;
                case "max_stale":
                    dns = reader.TryDuration(item, keyPath, out duration) ? dns with { MaxStale = duration } : dns;
                    break;
                case "only_passing":
                    dns = reader.TryBool(item, keyPath, out flag) ? dns with { OnlyPassing = flag } : dns;
                    break;
                case "udp_answer_limit":
                    dns = reader.TryInt(item, keyPath, 0, int.MaxValue, "0 or more", out var limit) ? dns with { UdpAnswerLimit = limit } : dns;
                    break;
                case "enable_truncate":
                    dns = reader.TryBool(item, keyPath, out flag) ? dns with { EnableTruncate = flag } : dns;
                    break;
                case "recursor_timeout":
                    dns = reader.TryDuration(item, keyPath, out duration) ? dns with { RecursorTimeout = duration } : dns;
                    break;
                case "a_record_limit":
                    dns = reader.TryInt(item, keyPath, 0, int.MaxValue, "0 or more", out limit) ? dns with { ARecordLimit = limit } : dns;
                    break;
                case "recursor_strategy":
                    if (reader.TryString(item, keyPath, out var strategy))
                    {
                        if (strategy is "sequential" or "random")
                        {
                            dns = dns with { RandomRecursors = strategy == "random" };
                        }
                        else
                        {
                            reader.Problem(keyPath, $"\"{strategy}\" is not sequential or random");
                        }
                    }
                    break;
                case "enable_additional_node_meta_txt":
                    dns = reader.TryBool(item, keyPath, out flag) ? dns with { NodeMetaTxt = flag } : dns;
                    break;
                case "disable_compression":
                    dns = reader.TryBool(item, keyPath, out flag) ? dns with { DisableCompression = flag } : dns;
                    break;
                case "soa":
                    dns = dns with { Soa = ReadSoa(reader, item, keyPath, dns.Soa) };
                    break;
                default:
                    if (!OtherKeys.Contains(name))
                    {
                        reader.UnknownKey(keyPath);
                        break;
                    }

                    var other = new Dictionary<string, JsonElement>(dns.Other, StringComparer.Ordinal) { [name] = item.Clone() };
                    dns = dns with { Other = other };
                    break;
            }
        }

        return dns;
    }

    /// <summary><c>soa</c>: refresh, retry, expire and min_ttl, each a number of seconds.</summary>
    private static DnsSoaSettings ReadSoa(ConfigValueReader reader, JsonElement value, string path, DnsSoaSettings soa)
    {
        if (!reader.TryObject(value, path))
        {
            return soa;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            var name = key.ToLowerInvariant();
            if (name is not ("refresh" or "retry" or "expire" or "min_ttl"))
            {
                reader.UnknownKey(keyPath);
                continue;
            }
            if (!reader.TryInt(item, keyPath, 0, int.MaxValue, "0 or more seconds", out var seconds))
            {
                continue;
            }
            var value32 = (uint)seconds;
            soa = name switch
            {
                "refresh" => soa with { Refresh = value32 },
                "retry" => soa with { Retry = value32 },
                "expire" => soa with { Expire = value32 },
                _ => soa with { MinTtl = value32 },
            };
        }
        return soa;
    }

    /// <summary><c>service_ttl</c>: service name (or <c>*</c>, or a <c>prefix*</c>) to a duration, merged key by key.</summary>
    private static DnsSettings ReadServiceTtl(ConfigValueReader reader, JsonElement value, string path, DnsSettings dns)
    {
        if (!reader.TryObject(value, path))
        {
            return dns;
        }

        var ttl = new Dictionary<string, TimeSpan>(dns.ServiceTtl, StringComparer.Ordinal);
        foreach (var (service, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            if (reader.TryDuration(item, keyPath, out var duration))
            {
                ttl[service] = duration;
            }
        }

        return dns with { ServiceTtl = ttl };
    }
}
