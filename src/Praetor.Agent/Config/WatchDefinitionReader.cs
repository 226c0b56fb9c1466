using System.Text;
using System.Text.Json;
using Praetor.Client.Watch;

namespace Praetor.Agent.Config;

/// <summary>
/// Reads one entry of <c>watches</c> as Consul's agent does: the handler settings (<c>args</c>,
/// <c>handler</c>, <c>handler_type</c>, <c>http_handler_config</c>) here, the rest by
/// <see cref="WatchPlan.Parse"/> (Consul's messages: "Must specify a single key to watch",
/// "Unsupported watch type: x", "Invalid parameters: [...]"). Every problem names its key path.
/// </summary>
internal static class WatchDefinitionReader
{
    private static readonly string[] HandlerKeys = ["args", "handler", "handler_type", "http_handler_config"];

    /// <summary>The definition, or null after reporting its problems.</summary>
    public static WatchDefinition? Read(ConfigValueReader reader, JsonElement value, string path)
    {
        if (!reader.TryObject(value, path))
        {
            return null;
        }

        var ok = true;
        var handlerType = "";
        IReadOnlyList<string>? args = null;
        string? handler = null;
        JsonElement? httpConfig = null;
        foreach (var (name, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            switch (name.ToLowerInvariant())
            {
                case "handler_type":
                    if (!reader.TryString(item, keyPath, out handlerType))
                    {
                        ok = false;
                    }
                    else if (handlerType is not ("" or "script" or "http"))
                    {
                        reader.Problem(keyPath, $"unsupported handler type {GoStrconv.Quote(handlerType)}: use \"script\" (with args) or \"http\" (with http_handler_config)");
                        ok = false;
                    }

                    break;
                case "args":
                    if (item.ValueKind != JsonValueKind.Array || item.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String))
                    {
                        reader.Problem(keyPath, "Watch args must be a list of strings");
                        ok = false;
                    }
                    else if (item.GetArrayLength() == 0)
                    {
                        reader.Problem(keyPath, "Watch args must name a program to run");
                        ok = false;
                    }
                    else
                    {
                        args = [.. item.EnumerateArray().Select(a => a.GetString()!)];
                    }

                    break;
                case "handler":
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        reader.Problem(keyPath, "Watch handler must be a string");
                        ok = false;
                    }
                    else
                    {
                        handler = item.GetString()!;
                    }

                    break;
                case "http_handler_config":
                    httpConfig = item;
                    break;
            }
        }

        WatchHttpHandler? http = null;
        if (handlerType == "http")
        {
            if (httpConfig is not { } config)
            {
                reader.Problem(path, "Handler type 'http' requires 'http_handler_config' to be set");
                ok = false;
            }
            else
            {
                http = ReadHttp(reader, config, ConfigValueReader.Key(path, "http_handler_config"));
                ok &= http is not null;
            }
        }
        else if (httpConfig is not null)
        {
            reader.Problem(ConfigValueReader.Key(path, "http_handler_config"), "http_handler_config needs handler_type \"http\"");
            ok = false;
        }

        var handlers = (args is null ? 0 : 1) + (handler is null ? 0 : 1) + (handlerType == "http" ? 1 : 0);
        if (ok && handlers > 1)
        {
            reader.Problem(path, "Only one watch handler allowed");
            ok = false;
        }
        else if (ok && handlers == 0)
        {
            reader.Problem(path, "Must define a watch handler");
            ok = false;
        }

        WatchPlan plan;
        try
        {
            plan = WatchPlan.Parse(value, HandlerKeys);
        }
        catch (WatchPlanException e)
        {
            reader.Problem(e.Parameter is null ? path : ConfigValueReader.Key(path, e.Parameter), e.Message);
            return null;
        }

        return ok
            ? new WatchDefinition { Plan = plan, Args = args, Handler = handler, Http = http, Identity = Encoding.UTF8.GetString(WatchJson.Compact(value)) }
            : null;
    }

    private static WatchHttpHandler? ReadHttp(ConfigValueReader reader, JsonElement value, string path)
    {
        if (!reader.TryObject(value, path))
        {
            return null;
        }

        var ok = true;
        var handler = new WatchHttpHandler { Path = "" };
        foreach (var (name, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            switch (name.ToLowerInvariant())
            {
                case "path":
                    if (reader.TryString(item, keyPath, out var url))
                    {
                        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                        {
                            reader.Problem(keyPath, $"{GoStrconv.Quote(url)} is not an http or https URL");
                            ok = false;
                        }

                        handler = handler with { Path = url };
                    }
                    else
                    {
                        ok = false;
                    }

                    break;
                case "method":
                    if (!reader.TryString(item, keyPath, out var method))
                    {
                        ok = false;
                    }
                    else if (!method.All(char.IsAsciiLetter))
                    {
                        reader.Problem(keyPath, $"{GoStrconv.Quote(method)} is not an HTTP method");
                        ok = false;
                    }
                    else if (method.Length > 0)
                    {
                        handler = handler with { Method = method.ToUpperInvariant() };
                    }

                    break;
                case "header":
                    var header = ReadHeader(reader, item, keyPath);
                    ok &= header is not null;
                    handler = handler with { Header = header ?? handler.Header };
                    break;
                case "timeout":
                    if (reader.TryDuration(item, keyPath, out var timeout))
                    {
                        handler = handler with { Timeout = timeout == TimeSpan.Zero ? WatchHttpHandler.DefaultTimeout : timeout };
                    }
                    else
                    {
                        ok = false;
                    }

                    break;
                case "tls_skip_verify":
                    if (reader.TryBool(item, keyPath, out var skip))
                    {
                        handler = handler with { TlsSkipVerify = skip };
                    }
                    else
                    {
                        ok = false;
                    }

                    break;
                default:
                    ok &= reader.UnknownKey(keyPath);
                    break;
            }
        }

        if (ok && handler.Path.Length == 0)
        {
            reader.Problem(path, "Requires 'path' to be set");
            ok = false;
        }

        return ok ? handler : null;
    }

    /// <summary><c>header</c>: each name with a list of values (Go's <c>http.Header</c>).</summary>
    private static Dictionary<string, IReadOnlyList<string>>? ReadHeader(ConfigValueReader reader, JsonElement value, string path)
    {
        if (!reader.TryObject(value, path))
        {
            return null;
        }

        var header = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        var ok = true;
        foreach (var (name, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            if (reader.TryStringList(item, keyPath, out var values))
            {
                header[name] = values;
            }
            else
            {
                ok = false;
            }
        }

        return ok ? header : null;
    }
}
