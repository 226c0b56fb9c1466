using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Praetor.Client.Kv;

namespace Praetor.Cli.Kv;

/// <summary><c>praetor kv export [KEY_OR_PREFIX]</c>: the tree as a tab-indented JSON array, as Consul writes it.</summary>
public static class KvExportCommand
{
    private const string Usage = """
        Usage: praetor kv export [KEY_OR_PREFIX]

          Retrieves key-value pairs for the given prefix from the key-value store,
          and writes a JSON representation to stdout. This can be used with the command
          "praetor kv import" to move entire trees between clusters.

              $ praetor kv export vault
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        var command = new HttpCommand("kv export", Usage);
        var flags = command.Flags;
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (command.TooManyArguments(1, context))
        {
            return 1;
        }

        var prefix = KvKeys.TrimLeadingSlash(flags.Args.Count == 1 ? flags.Args[0] : string.Empty);

        return await command.RunAsync(context, async client =>
        {
            var entries = await HttpCommand.RequestAsync("Error querying Consul agent", () => client.Kv.ListAsync(prefix, command.Http.QueryOptions));
            context.Info(ToJson(entries.Response));
            return 0;
        });
    }

    /// <summary>Go's <c>json.MarshalIndent(entries, "", "\t")</c> of <c>[{key, flags, value}]</c>.</summary>
    public static string ToJson(IReadOnlyList<KvEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            IndentCharacter = '\t',
            IndentSize = 1,
            NewLine = "\n",
            // Keys and base64 stay readable ('+', '/', non-ASCII unescaped), as Go writes them.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            writer.WriteStartArray();
            foreach (var entry in entries)
            {
                writer.WriteStartObject();
                writer.WriteString("key", entry.Key);
                writer.WriteNumber("flags", entry.Flags);
                writer.WriteString("value", Convert.ToBase64String(entry.Value ?? []));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
