using Praetor.Client.Kv;

namespace Praetor.Cli.Kv;

/// <summary><c>praetor kv get [options] [KEY_OR_PREFIX]</c>, with Consul's flags and output.</summary>
public static class KvGetCommand
{
    private const string Usage = """
        Usage: praetor kv get [options] [KEY_OR_PREFIX]

          Retrieves the value from the key-value store at the given key name. If no
          key exists with that name, an error is returned. If a key exists with that
          name but has no data, nothing is returned. If the name or prefix is omitted,
          it defaults to "" which is the root of the key-value store.

          To retrieve the value for the key named "foo" in the key-value store:

              $ praetor kv get foo

          To view detailed information about the key, specify the "-detailed" flag:

              $ praetor kv get -detailed foo

          To treat the path as a prefix and list all keys which start with the given
          prefix, specify the "-recurse" flag:

              $ praetor kv get -recurse foo

          To just list the keys which start with the specified prefix, use the "-keys"
          option instead:

              $ praetor kv get -keys foo
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        var command = new HttpCommand("kv get", Usage);
        var flags = command.Flags;
        var base64 = flags.Bool("base64", false, "Base64 encode the value. The default value is false.");
        var detailed = flags.Bool("detailed", false,
            "Provide additional metadata about the key in addition to the value such as the ModifyIndex and any flags " +
            "that may have been set on the key. The default value is false.");
        var keys = flags.Bool("keys", false,
            "List keys which start with the given prefix, but not their values. This is especially useful if you only " +
            "need the key names themselves. This option is commonly combined with the -separator option. The default value is false.");
        var recurse = flags.Bool("recurse", false,
            "Recursively look at all keys prefixed with the given path. The default value is false.");
        var separator = flags.String("separator", "/",
            "String to use as a separator between keys. The default value is \"/\", but this option is only taken into " +
            "account when paired with the -keys flag.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (command.TooManyArguments(1, context))
        {
            return 1;
        }

        var key = KvKeys.TrimLeadingSlash(flags.Args.Count == 1 ? flags.Args[0] : string.Empty);
        if (key.Length == 0 && !(recurse.Value || keys.Value))
        {
            context.Error("Error! Missing KEY argument");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            return await HttpCommand.RequestAsync("Error querying Consul agent", async () =>
            {
                if (keys.Value)
                {
                    var listed = await client.Kv.KeysAsync(key, separator.Value, command.Http.QueryOptions);
                    foreach (var name in listed.Response)
                    {
                        context.Info(name);
                    }

                    return 0;
                }

                if (recurse.Value)
                {
                    var entries = (await client.Kv.ListAsync(key, command.Http.QueryOptions)).Response;
                    for (var i = 0; i < entries.Count; i++)
                    {
                        if (detailed.Value)
                        {
                            WriteDetailed(context, entries[i], base64.Value);
                            if (i < entries.Count - 1)
                            {
                                context.Info(string.Empty);
                            }
                        }
                        else
                        {
                            context.Stdout.Write(entries[i].Key + ":");
                            WriteValue(context, entries[i].Value, base64.Value);
                        }
                    }

                    return 0;
                }

                var entry = (await client.Kv.GetAsync(key, command.Http.QueryOptions)).Response;
                if (entry is null)
                {
                    context.Error($"Error! No key exists at: {key}");
                    return 1;
                }

                if (detailed.Value)
                {
                    WriteDetailed(context, entry, base64.Value);
                }
                else
                {
                    WriteValue(context, entry.Value, base64: false);
                }

                return 0;
            });
        });
    }

    // Consul prints these with text/tabwriter (padding 6): the label column is as wide as
    // "CreateIndex"/"ModifyIndex" plus six spaces.
    private static void WriteDetailed(CliContext context, KvEntry entry, bool base64)
    {
        const int LabelWidth = 17;
        context.Info("CreateIndex".PadRight(LabelWidth) + entry.CreateIndex);
        context.Info("Flags".PadRight(LabelWidth) + entry.Flags);
        context.Info("Key".PadRight(LabelWidth) + entry.Key);
        context.Info("LockIndex".PadRight(LabelWidth) + entry.LockIndex);
        context.Info("ModifyIndex".PadRight(LabelWidth) + entry.ModifyIndex);
        context.Info("Session".PadRight(LabelWidth) + (string.IsNullOrEmpty(entry.Session) ? "-" : entry.Session));
        context.Stdout.Write("Value".PadRight(LabelWidth));
        WriteValue(context, entry.Value, base64);
    }

    private static void WriteValue(CliContext context, byte[]? value, bool base64)
    {
        if (base64)
        {
            context.Info(Convert.ToBase64String(value ?? []));
            return;
        }

        context.WriteBytes(value ?? []);
        context.Stdout.Write('\n');
    }
}
