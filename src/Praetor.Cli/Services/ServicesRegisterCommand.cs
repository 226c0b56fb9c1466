using System.Text.Json.Nodes;
using Praetor.Cli.Catalog;
using Praetor.Client;

namespace Praetor.Cli.Services;

/// <summary>
/// <c>praetor services register [options] [FILE...]</c> (Consul's <c>consul services register</c>):
/// registers services with the local agent, from service definition files (<c>{"service": {...}}</c>
/// or <c>{"services": [...]}</c>) or from flags, printing <c>Registered service: NAME</c> for each.
/// </summary>
public static class ServicesRegisterCommand
{
    public const string Synopsis = "Register services with the local agent";

    private const string Usage = """
        Usage: praetor services register [options] [FILE...]

          Register one or more services using the local agent API. Services can
          be registered from standard Consul configuration files (JSON) or
          using flags. The service is registered and the command returns. The caller
          must remember to call "praetor services deregister" or a similar API to
          deregister the service when complete.

              $ praetor services register web.json

          Additional flags and more advanced use cases are detailed below.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("services register", Usage);
        var flags = command.Flags;
        var id = flags.String("id", string.Empty,
            "ID of the service to register for arg-based registration. If this isn't set, it will default to the -name value.");
        var name = flags.String("name", string.Empty, "Name of the service to register for arg-based registration.");
        var address = flags.String("address", string.Empty, "Address of the service to register for arg-based registration.");
        var port = flags.Int("port", 0, "Port of the service to register for arg-based registration.");
        var meta = KeyValueFlag.Define(flags, "meta",
            "Metadata to set on the service, formatted as key=value. This flag may be specified multiple times to set multiple meta fields.");
        var tags = flags.StringList("tag",
            "Tag to add to the service. This flag can be specified multiple times to set multiple tags.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (flags.Args.Count == 0 && name.Value.Length == 0)
        {
            context.Error("Service registration requires at least one argument or flags.");
            return 1;
        }

        if (flags.Args.Count > 0 && name.Value.Length > 0)
        {
            context.Error("Service registration requires arguments or -id, not both.");
            return 1;
        }

        List<JsonObject>? fromFiles = null;
        if (flags.Args.Count > 0)
        {
            if (!ServiceDefinitionFiles.TryRead(flags.Args, out fromFiles, out var readError))
            {
                context.Error($"Error: {readError}");
                return 1;
            }

            foreach (var definition in fromFiles)
            {
                Combine(definition, id.Value, address.Value, port.Value, meta.Value, tags.Value);
            }
        }

        return await command.RunAsync(context, async client =>
        {
            if (fromFiles is null)
            {
                var service = new AgentServiceRegistration
                {
                    Id = NullIfEmpty(id.Value),
                    Name = name.Value,
                    Address = NullIfEmpty(address.Value),
                    Port = port.Value,
                    Tags = tags.Value.Count > 0 ? [.. tags.Value] : null,
                    Meta = meta.Value.Count > 0 ? new Dictionary<string, string>(meta.Value, StringComparer.Ordinal) : null,
                };
                await RegisterAsync(context, name.Value, () => client.Agent.ServiceRegisterAsync(service));
                return 0;
            }

            foreach (var definition in fromFiles)
            {
                var body = System.Text.Encoding.UTF8.GetBytes(definition.ToJsonString());
                var serviceName = ServiceDefinitionFiles.StringField(definition, "name");
                await RegisterAsync(context, serviceName, () => client.Agent.ServiceRegisterJsonAsync(body));
            }

            return 0;
        });
    }

    private static async Task RegisterAsync(CliContext context, string name, Func<Task> register)
    {
        await HttpCommand.RequestAsync($"Error registering service {GoQuote(name)}", register);
        context.Info($"Registered service: {name}");
    }

    // Consul's CombineArgs: flags fill what a file leaves empty; -meta pairs override, -tag values append.
    private static void Combine(JsonObject definition, string id, string address, int port, IReadOnlyDictionary<string, string> meta, IReadOnlyList<string> tags)
    {
        if (id.Length > 0 && ServiceDefinitionFiles.StringField(definition, "id").Length == 0)
        {
            Set(definition, "id", "ID", JsonValue.Create(id));
        }

        if (address.Length > 0 && ServiceDefinitionFiles.StringField(definition, "address").Length == 0)
        {
            Set(definition, "address", "Address", JsonValue.Create(address));
        }

        if (port != 0 && (ServiceDefinitionFiles.FindKey(definition, "port") is not { } portKey || IsZero(definition[portKey])))
        {
            Set(definition, "port", "Port", JsonValue.Create(port));
        }

        if (meta.Count > 0)
        {
            var existing = ServiceDefinitionFiles.FindKey(definition, "meta") is { } metaKey ? definition[metaKey] as JsonObject : null;
            if (existing is null)
            {
                existing = [];
                Set(definition, "meta", "Meta", existing);
            }

            foreach (var (key, value) in meta)
            {
                existing[key] = value;
            }
        }

        if (tags.Count > 0)
        {
            var existing = ServiceDefinitionFiles.FindKey(definition, "tags") is { } tagsKey ? definition[tagsKey] as JsonArray : null;
            if (existing is null)
            {
                existing = [];
                Set(definition, "tags", "Tags", existing);
            }

            foreach (var tag in tags)
            {
                existing.Add((JsonNode)JsonValue.Create(tag));
            }
        }
    }

    private static void Set(JsonObject definition, string key, string newName, JsonNode? value)
    {
        var name = ServiceDefinitionFiles.FindKey(definition, key) ?? newName;
        definition[name] = value;
    }

    private static bool IsZero(JsonNode? node) =>
        node is null || (node is JsonValue value && value.TryGetValue<int>(out var number) && number == 0);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>Go's <c>%q</c> for the names in messages.</summary>
    internal static string GoQuote(string value) => Praetor.Agent.GoStrconv.Quote(value);
}
