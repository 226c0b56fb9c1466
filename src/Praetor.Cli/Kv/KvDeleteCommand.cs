
namespace Praetor.Cli.Kv;

/// <summary><c>praetor kv delete [options] KEY_OR_PREFIX</c>, with Consul's flags and output.</summary>
public static class KvDeleteCommand
{
    private const string Usage = """
        Usage: praetor kv delete [options] KEY_OR_PREFIX

          Removes the value from the key-value store at the given path. If no
          key exists at the path, no action is taken.

          To delete the value for the key named "foo" in the key-value store:

              $ praetor kv delete foo

          To delete all keys which start with "foo", specify the -recurse option:

              $ praetor kv delete -recurse foo

          This will delete the keys named "foo", "food", and "foo/bar/zip" if they
          existed.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        var command = new HttpCommand("kv delete", Usage);
        var flags = command.Flags;
        var cas = flags.Bool("cas", false,
            "Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. " +
            "The default value is false.");
        var modifyIndex = flags.Uint64("modify-index", 0,
            "Unsigned integer representing the ModifyIndex of the key. This is used in combination with the -cas flag.");
        var recurse = flags.Bool("recurse", false, "Recursively delete all keys with the path. The default value is false.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (command.TooManyArguments(1, context))
        {
            return 1;
        }

        var key = KvKeys.TrimLeadingSlash(flags.Args.Count == 1 ? flags.Args[0] : string.Empty);
        if (key.Length == 0 && !recurse.Value)
        {
            context.Error("Error! Missing KEY argument");
            return 1;
        }

        if (cas.Value && modifyIndex.Value == 0)
        {
            context.Error("Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.");
            return 1;
        }

        if (modifyIndex.Value != 0 && !cas.Value)
        {
            context.Error("Cannot specify -modify-index without -cas!");
            return 1;
        }

        if (recurse.Value && cas.Value)
        {
            context.Error("Cannot specify both -cas and -recurse!");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            if (recurse.Value)
            {
                await HttpCommand.RequestAsync($"Error! Did not delete prefix {key}", () => client.Kv.DeleteTreeAsync(key));

                context.Info($"Success! Deleted keys with prefix: {key}");
                return 0;
            }

            if (cas.Value)
            {
                if (!await HttpCommand.RequestAsync($"Error! Did not delete key {key}", () => client.Kv.DeleteCasAsync(key, modifyIndex.Value)))
                {
                    context.Error($"Error! Did not delete key {key}: CAS failed");
                    return 1;
                }

                context.Info($"Success! Deleted key: {key}");
                return 0;
            }

            await HttpCommand.RequestAsync($"Error deleting key {key}", () => client.Kv.DeleteAsync(key));

            context.Info($"Success! Deleted key: {key}");
            return 0;
        });
    }
}
