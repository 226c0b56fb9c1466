using System.Text.Json;
using Praetor.Agent.Definitions;

namespace Praetor.Agent.Config;

/// <summary>
/// Reads a service definition from a config file (<c>service</c> or <c>services[n]</c>): Consul's
/// keys, matched case-insensitively and in the API's PascalCase too (<c>Name</c>, <c>ID</c>,
/// <c>Port</c>, <c>Tags</c>, <c>Check</c>, <c>EnableTagOverride</c>).
/// </summary>
internal static class ServiceDefinitionReader
{
    /// <summary>The definition, or null when anything in it was wrong (each problem recorded).</summary>
    public static ServiceDefinition? Read(ConfigValueReader reader, JsonElement value, string path)
    {
        if (!reader.TryObject(value, path))
        {
            return null;
        }

        var service = new ServiceDefinition { Name = "" };
        var checks = new List<CheckDefinition>();
        var ok = true;
        foreach (var (name, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            string text;
            switch (ConfigValueReader.DefinitionKey(name))
            {
                case "name":
                    ok &= reader.TryString(item, keyPath, out text);
                    service = service with { Name = text };
                    break;
                case "id":
                    ok &= reader.TryString(item, keyPath, out text);
                    service = service with { Id = text };
                    break;
                case "tags":
                    ok &= reader.TryStringList(item, keyPath, out var tags);
                    service = service with { Tags = tags };
                    break;
                case "address":
                    ok &= reader.TryString(item, keyPath, out text);
                    service = service with { Address = text };
                    break;
                case "port":
                    ok &= reader.TryInt(item, keyPath, 0, 65535, "0-65535", out var port);
                    service = service with { Port = port };
                    break;
                case "meta":
                    ok &= reader.TryStringMap(item, keyPath, out var meta) && reader.CheckMeta(meta, keyPath);
                    service = service with { Meta = meta };
                    break;
                case "enabletagoverride":
                    ok &= reader.TryBool(item, keyPath, out var enable);
                    service = service with { EnableTagOverride = enable };
                    break;
                case "weights":
                    ok &= TryReadWeights(reader, item, keyPath, ref service);
                    break;
                case "token":
                    // The ACL token to register with: accepted (ACLs are not enforced yet).
                    ok &= reader.TryString(item, keyPath, out _);
                    break;
                case "check":
                    var check = CheckDefinitionReader.Read(reader, item, keyPath, ofService: true);
                    ok &= check is not null;
                    if (check is not null)
                    {
                        checks.Add(check);
                    }

                    break;
                case "checks":
                    if (!reader.TryArray(item, keyPath))
                    {
                        ok = false;
                        break;
                    }

                    foreach (var (element, elementPath) in ConfigValueReader.SetElements(item, keyPath))
                    {
                        var one = CheckDefinitionReader.Read(reader, element, elementPath, ofService: true);
                        ok &= one is not null;
                        if (one is not null)
                        {
                            checks.Add(one);
                        }
                    }

                    break;
                default:
                    ok &= reader.UnknownKey(keyPath);
                    break;
            }
        }

        if (service.Name.Length == 0)
        {
            reader.Problem(ConfigValueReader.Key(path, "name"), "required");
            ok = false;
        }

        return ok ? service with { Checks = checks } : null;
    }

    private static bool TryReadWeights(ConfigValueReader reader, JsonElement value, string path, ref ServiceDefinition service)
    {
        if (!reader.TryObject(value, path))
        {
            return false;
        }

        var ok = true;
        foreach (var (name, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            switch (ConfigValueReader.DefinitionKey(name))
            {
                case "passing":
                    // Consul: "Passing must be greater than 0".
                    ok &= reader.TryInt(item, keyPath, 1, int.MaxValue, "1 or more", out var passing);
                    service = service with { WeightPassing = passing };
                    break;
                case "warning":
                    ok &= reader.TryInt(item, keyPath, 0, int.MaxValue, "0 or more", out var warning);
                    service = service with { WeightWarning = warning };
                    break;
                default:
                    ok &= reader.UnknownKey(keyPath);
                    break;
            }
        }

        return ok;
    }
}
