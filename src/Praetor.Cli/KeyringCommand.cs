using Praetor.Client;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor keyring -list | -list-primary | -install KEY | -use KEY | -remove KEY</c> (Consul's
/// <c>consul keyring</c>): lists or changes the gossip encryption keys of every member through
/// the agent's <c>/v1/operator/keyring</c>, with Consul's output (<c>==&gt; ...</c>, then per pool
/// <c>dc1 (LAN):</c> and <c>  &lt;key&gt; [n/total]</c>). Exactly one action per call.
/// </summary>
public static class KeyringCommand
{
    public const string Synopsis = "Manages gossip layer encryption keys";

    private const string Usage = """
        Usage: praetor keyring [options]

          Manages encryption keys used for gossip messages. Gossip encryption is
          optional. When enabled, this command may be used to examine active encryption
          keys in the cluster, add new keys, and remove old ones. When combined, this
          functionality provides the ability to perform key rotation cluster-wide,
          without disrupting the cluster.

          All operations performed by this command can only be run against server nodes,
          and affect both the LAN and WAN keyrings in lock-step.

          All variations of the keyring command return 0 if all nodes reply and there
          are no errors. If any node fails to reply or reports failure, the exit code
          will be 1.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("keyring", Usage);
        var flags = command.Flags;
        var install = flags.String("install", "", "Install a new encryption key. This will broadcast the new key to all members in the cluster.");
        var use = flags.String("use", "", "Change the primary encryption key, which is used to encrypt messages. The key must already be installed before this operation can succeed.");
        var remove = flags.String("remove", "", "Remove the given key from the cluster. This operation may only be performed on keys which are not currently the primary key.");
        var list = flags.Bool("list", false, "List all keys currently in use within the cluster.");
        var listPrimary = flags.Bool("list-primary", false, "List all primary keys currently in use within the cluster.");
        var relayFactorFlag = flags.Int("relay-factor", 0, "Setting this to a non-zero value will cause nodes to relay their response to the operation through this many randomly-chosen other nodes in the cluster. The maximum allowed value is 5.");
        var localOnly = flags.Bool("local-only", false, "Setting this to true will force the keyring query to only hit local servers (no WAN traffic). This flag can only be set for list queries.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        var actions = (list.Value ? 1 : 0) + (listPrimary.Value ? 1 : 0) + new[] { install.Value, use.Value, remove.Value }.Count(v => v.Length > 0);
        if (actions > 1)
        {
            context.Error("Only a single action is allowed");
            return 1;
        }
        if (actions == 0)
        {
            context.Error(CommandHelp.Format(Usage, flags));
            return 1;
        }
        if (command.TooManyArguments(0, context))
        {
            return 1;
        }
        if (relayFactorFlag.Value is < 0 or > 5)
        {
            context.Error("Error parsing relay factor: Relay factor must be in range: [0, 5]");
            return 1;
        }
        var relayFactor = (byte)relayFactorFlag.Value;
        if (localOnly.Value && !(list.Value || listPrimary.Value))
        {
            context.Error("Error validating local-only: local-only can only be set for list requests");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            if (list.Value || listPrimary.Value)
            {
                context.Info(listPrimary.Value ? "==> Gathering installed primary encryption keys..." : "==> Gathering installed encryption keys...");
                var responses = await HttpCommand.RequestAsync("error", () =>
                    client.Operator.KeyringListAsync(new QueryOptions { RelayFactor = relayFactor, LocalOnly = localOnly.Value }));
                foreach (var response in responses)
                {
                    context.Info(Format(response, listPrimary.Value ? response.PrimaryKeys : response.Keys));
                }
                return 0;
            }
            var options = new WriteOptions { RelayFactor = relayFactor };
            if (install.Value.Length > 0)
            {
                context.Info("==> Installing new gossip encryption key...");
                await HttpCommand.RequestAsync("error", () => client.Operator.KeyringInstallAsync(install.Value, options));
            }
            else if (use.Value.Length > 0)
            {
                context.Info("==> Changing primary gossip encryption key...");
                await HttpCommand.RequestAsync("error", () => client.Operator.KeyringUseAsync(use.Value, options));
            }
            else
            {
                context.Info("==> Removing gossip encryption key...");
                await HttpCommand.RequestAsync("error", () => client.Operator.KeyringRemoveAsync(remove.Value, options));
            }
            return 0;
        });
    }

    /// <summary>Consul's formatResponse: a blank line, the pool's name, then <c>  &lt;key&gt; [count/total]</c> per key.</summary>
    private static string Format(KeyringResponse response, IReadOnlyDictionary<string, int> keys)
    {
        var pool = (response.Wan ? "WAN" : $"{response.Datacenter} (LAN)") + (response.Segment.Length > 0 ? $" [segment: {response.Segment}]" : "");
        var lines = new List<string> { "", pool + ":" };
        foreach (var (key, count) in keys.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            lines.Add($"  {key} [{count}/{response.NumNodes}]");
        }
        return string.Join('\n', lines);
    }
}
