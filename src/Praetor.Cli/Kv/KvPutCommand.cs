
namespace Praetor.Cli.Kv;

/// <summary><c>praetor kv put [options] KEY [DATA]</c>, with Consul's flags and output.</summary>
public static class KvPutCommand
{
    private const string Usage = """
        Usage: praetor kv put [options] KEY [DATA]

          Writes the data to the given path in the key-value store. The data can be of
          any type.

              $ praetor kv put config/redis/maxconns 5

          The data can also be consumed from a file on disk by prefixing with the "@"
          symbol. For example:

              $ praetor kv put config/program/license @license.lic

          Or it can be read from stdin using the "-" symbol:

              $ echo "abcd1234" | praetor kv put config/program/license -

          The DATA argument itself is optional. If omitted, this will create an empty
          key-value pair at the specified path:

              $ praetor kv put webapp/beta/active

          If the -base64 flag is specified, the data will be treated as base 64
          encoded.

          To perform a Check-And-Set operation, specify the -cas flag with the
          appropriate -modify-index flag corresponding to the key you want to perform
          the CAS operation on:

              $ praetor kv put -cas -modify-index=844 config/redis/maxconns 5

          Additional flags and more advanced use cases are detailed below.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        var command = new HttpCommand("kv put", Usage);
        var flags = command.Flags;
        var cas = flags.Bool("cas", false,
            "Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. " +
            "The default value is false.");
        var kvFlags = flags.Uint64("flags", 0,
            "Unsigned integer value to assign to this key-value pair. This value is not read by Consul, so clients can " +
            "use this value however makes sense for their use case. The default value is 0 (no flags).");
        var base64 = flags.Bool("base64", false, "Treat the data as base 64 encoded. The default value is false.");
        var modifyIndex = flags.Uint64("modify-index", 0,
            "Unsigned integer representing the ModifyIndex of the key. This is used in combination with the -cas flag.");
        var session = flags.String("session", string.Empty,
            "User-defined identifer for this session as a string. This is commonly used with the -acquire and -release " +
            "operations to build robust locking, but it can be set on any key. The default value is empty (no session).");
        var acquire = flags.Bool("acquire", false,
            "Obtain a lock on the key. If the key does not exist, this operation will create the key and obtain the lock. " +
            "The session must already exist and be specified via the -session flag. The default value is false.");
        var release = flags.Bool("release", false,
            "Forfeit the lock on the key at the given path. This requires the -session flag to be set. The key must be " +
            "held by the session in order to be unlocked. The default value is false.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        switch (flags.Args.Count)
        {
            case 0:
                context.Error("Error! Missing KEY argument");
                return 1;
            case > 2:
                context.Error($"Error! Too many arguments (expected 1 or 2, got {flags.Args.Count})");
                return 1;
        }

        var key = flags.Args[0];
        var (data, loadError) = flags.Args.Count == 2 ? await DataSource.LoadAsync(flags.Args[1], context) : ([], null);
        if (data is null)
        {
            context.Error($"Error! {loadError}");
            return 1;
        }

        if (base64.Value && !Base64Text.TryDecode(data, out data, out var decodeError))
        {
            context.Error($"Error! Cannot base 64 decode data: {decodeError}");
            return 1;
        }

        if ((release.Value || acquire.Value) && session.Value.Length == 0)
        {
            context.Error("Error! Missing -session (required with -acquire and -release)");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            if (cas.Value)
            {
                if (!await HttpCommand.RequestAsync($"Error! Did not write to {key}", () => client.Kv.CasAsync(key, data, modifyIndex.Value, kvFlags.Value)))
                {
                    context.Error(modifyIndex.Value == 0
                        ? $"Error! Did not write to {key}: CAS performed with index=0 and key already exists."
                        : $"Error! Did not write to {key}: CAS failed");
                    return 1;
                }

                context.Info($"Success! Data written to: {key}");
                return 0;
            }

            return await HttpCommand.RequestAsync("Error! Failed writing data", async () =>
            {
                if (acquire.Value)
                {
                    if (!await client.Kv.AcquireAsync(key, data, session.Value, kvFlags.Value))
                    {
                        context.Error("Error! Did not acquire lock");
                        return 1;
                    }

                    context.Info($"Success! Lock acquired on: {key}");
                    return 0;
                }

                if (release.Value)
                {
                    if (!await client.Kv.ReleaseAsync(key, data, session.Value, kvFlags.Value))
                    {
                        context.Error("Error! Did not release lock");
                        return 1;
                    }

                    context.Info($"Success! Lock released on: {key}");
                    return 0;
                }

                await client.Kv.PutAsync(key, data, kvFlags.Value);
                context.Info($"Success! Data written to: {key}");
                return 0;
            });
        });
    }
}
