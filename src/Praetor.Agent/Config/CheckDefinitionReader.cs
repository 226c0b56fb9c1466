using System.Text.Json;
using Praetor.Agent.Definitions;

namespace Praetor.Agent.Config;

/// <summary>
/// Reads a check definition from a config file (<c>check</c>, <c>checks[n]</c>, or a service's
/// <c>check</c>/<c>checks</c>). Keys are matched as Consul's decoder matches them: case-insensitively,
/// and with the camelCase/PascalCase spellings of the API (<c>ServiceID</c>, <c>TLSSkipVerify</c>,
/// <c>DeregisterCriticalServiceAfter</c>, <c>ScriptArgs</c>) standing for the snake_case keys.
/// </summary>
internal static class CheckDefinitionReader
{
    /// <summary>The definition, or null when anything in it was wrong (each problem recorded).</summary>
    /// <param name="ofService">True for a service's check, whose name Consul derives from the service.</param>
    public static CheckDefinition? Read(ConfigValueReader reader, JsonElement value, string path, bool ofService)
    {
        if (!reader.TryObject(value, path))
        {
            return null;
        }

        var check = new CheckDefinition();
        var ok = true;
        var hasTtl = false;
        foreach (var (name, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            string text;
            TimeSpan duration;
            switch (ConfigValueReader.DefinitionKey(name))
            {
                case "id" or "checkid":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { Id = text };
                    break;
                case "name":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { Name = text };
                    break;
                case "notes":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { Notes = text };
                    break;
                case "serviceid":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { ServiceId = text };
                    break;
                case "status":
                    if (reader.TryString(item, keyPath, out text) && text is not ("" or "passing" or "warning" or "critical"))
                    {
                        reader.Problem(keyPath, $"{GoStrconv.Quote(text)} is not passing, warning or critical");
                        ok = false;
                    }

                    check = check with { InitialStatus = text };
                    break;
                case "args" or "scriptargs":
                    ok &= reader.TryStringList(item, keyPath, out var args);
                    check = check with { Args = args };
                    break;
                case "script":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { Script = text };
                    break;
                case "http":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { Http = text };
                    break;
                case "method":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { Method = text };
                    break;
                case "header":
                    ok &= TryReadHeader(reader, item, keyPath, out var header);
                    check = check with { Header = header };
                    break;
                case "body":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { Body = text };
                    break;
                case "tlsskipverify":
                    ok &= reader.TryBool(item, keyPath, out var skip);
                    check = check with { TlsSkipVerify = skip };
                    break;
                case "tcp":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { Tcp = text };
                    break;
                case "ttl":
                    hasTtl = true;
                    ok &= reader.TryDuration(item, keyPath, out duration);
                    check = check with { Ttl = duration };
                    break;
                case "aliasservice":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { AliasService = text };
                    break;
                case "aliasnode":
                    ok &= reader.TryString(item, keyPath, out text);
                    check = check with { AliasNode = text };
                    break;
                case "interval":
                    ok &= reader.TryDuration(item, keyPath, out duration);
                    check = check with { Interval = duration };
                    break;
                case "timeout":
                    ok &= reader.TryDuration(item, keyPath, out duration);
                    check = check with { Timeout = duration };
                    break;
                case "deregistercriticalserviceafter":
                    ok &= reader.TryDuration(item, keyPath, out duration);
                    check = check with { DeregisterCriticalServiceAfter = duration };
                    break;
                case "outputmaxsize":
                    ok &= reader.TryInt(item, keyPath, 1, int.MaxValue, "a positive number of bytes", out var size);
                    check = check with { OutputMaxSizeBytes = size };
                    break;
                default:
                    ok &= reader.UnknownKey(keyPath);
                    break;
            }
        }

        return ok && IsComplete(reader, check, path, ofService, hasTtl) ? check : null;
    }

    /// <summary>Consul's rules on the combination: exactly one way of running, and an interval where one is needed.</summary>
    private static bool IsComplete(ConfigValueReader reader, CheckDefinition check, string path, bool ofService, bool hasTtl)
    {
        var ok = true;
        if (!ofService && check.Name.Length == 0)
        {
            reader.Problem(ConfigValueReader.Key(path, "name"), "required");
            ok = false;
        }

        if (hasTtl && check.Ttl == TimeSpan.Zero)
        {
            reader.Problem(ConfigValueReader.Key(path, "ttl"), "must be longer than 0s");
            return false;
        }

        if (check.Script.Length > 0 && check.Args.Count > 0)
        {
            reader.Problem(path, "give either script or args, not both");
            return false;
        }

        var kinds = new List<string>(5);
        if (check.Script.Length > 0 || check.Args.Count > 0)
        {
            kinds.Add(check.Script.Length > 0 ? "script" : "args");
        }

        if (check.Http.Length > 0)
        {
            kinds.Add("http");
        }

        if (check.Tcp.Length > 0)
        {
            kinds.Add("tcp");
        }

        if (check.Ttl > TimeSpan.Zero)
        {
            kinds.Add("ttl");
        }

        if (check.AliasService.Length > 0)
        {
            kinds.Add("alias_service");
        }

        if (kinds.Count == 0)
        {
            reader.Problem(path, "a check needs one of script (or args), http, tcp, ttl or alias_service");
            return false;
        }

        if (kinds.Count > 1)
        {
            reader.Problem(path, $"a check takes only one of script (or args), http, tcp, ttl or alias_service; got {string.Join(" and ", kinds)}");
            return false;
        }

        if ((check.Kind is CheckKind.Script or CheckKind.Http or CheckKind.Tcp) && check.Interval <= TimeSpan.Zero)
        {
            reader.Problem(ConfigValueReader.Key(path, "interval"), $"required for a {kinds[0]} check (a duration such as \"10s\")");
            ok = false;
        }

        return ok;
    }

    /// <summary><c>header</c>: an object of header name to a list of values, as Consul's (Go's http.Header).</summary>
    private static bool TryReadHeader(ConfigValueReader reader, JsonElement value, string path, out IReadOnlyDictionary<string, IReadOnlyList<string>> header)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        header = result;
        if (!reader.TryObject(value, path))
        {
            return false;
        }

        var ok = true;
        foreach (var (name, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            if (reader.TryStringList(item, keyPath, out var values))
            {
                result[name] = values;
            }
            else
            {
                ok = false;
            }
        }

        return ok;
    }
}
