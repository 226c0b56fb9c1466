using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Praetor.Gossip;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Integration;

/// <summary>
/// Serf's internal queries between the real <c>serf agent</c> and an in-process encrypted
/// <see cref="SerfPool"/>: <c>serf keys</c> counts and changes Praetor's keyring (and its keyring
/// file), Praetor's keyring operations count and change serf's, and <c>serf query</c> gets
/// Praetor's ack.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SerfKeyringInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);
    private static readonly byte[] Key1 = Enumerable.Range(0, 32).Select(i => (byte)(i * 5 + 1)).ToArray();
    private static readonly byte[] Key2 = Enumerable.Range(0, 32).Select(i => (byte)(i * 3 + 2)).ToArray();
    private static readonly string Key1Text = Convert.ToBase64String(Key1);
    private static readonly string Key2Text = Convert.ToBase64String(Key2);

    [SerfInteropFact]
    public async Task Serf_keys_lists_installs_uses_and_removes_keys_on_praetor_too()
    {
        using var temp = new TempDirectory();
        var keyringFile = Path.Combine(temp.Path, "serf", "local.keyring");
        await using var serf = await SerfInteropAgent.StartAsync("serf1", encryptKey: Key1Text);
        await using var pool = await StartPoolAsync("praetor-a", keyringFile);
        await JoinAsync(pool, serf);

        var list = await RunAsync(serf, "keys", "-list");
        Assert.Contains($"{Key1Text}  [2/2]", list);

        Assert.Contains("Successfully installed key!", await RunAsync(serf, "keys", "-install", Key2Text));
        Assert.True(pool.Keyring!.Contains(Key2));
        Assert.Equal([Key1Text, Key2Text], ReadKeyringFile(keyringFile));
        list = await RunAsync(serf, "keys", "-list");
        Assert.Contains($"{Key1Text}  [2/2]", list);
        Assert.Contains($"{Key2Text}  [2/2]", list);

        Assert.Contains("Successfully changed primary key!", await RunAsync(serf, "keys", "-use", Key2Text));
        Assert.Equal(Key2, pool.Keyring!.PrimaryKey.ToArray());
        Assert.Equal([Key2Text, Key1Text], ReadKeyringFile(keyringFile));

        Assert.Contains("Successfully removed key!", await RunAsync(serf, "keys", "-remove", Key1Text));
        Assert.Equal(1, pool.Keyring!.Count);
        Assert.Equal([Key2Text], ReadKeyringFile(keyringFile));

        // Gossip still flows on the new key, both ways: serf still lists Praetor alive after a query round.
        list = await RunAsync(serf, "keys", "-list");
        Assert.Contains($"{Key2Text}  [2/2]", list);
        Assert.DoesNotContain(Key1Text, list);

        // Removing the primary key fails on both nodes, with memberlist's message.
        var (exit, output) = await serf.RunAsync("keys", "-remove", Key2Text);
        Assert.NotEqual(0, exit);
        Assert.Contains("praetor-a", output);
        Assert.Contains("Removing the primary key is not allowed", output);
    }

    [SerfInteropFact]
    public async Task Serf_query_gets_praetors_ack_and_no_response()
    {
        await using var serf = await SerfInteropAgent.StartAsync("serf1", encryptKey: Key1Text);
        await using var pool = await StartPoolAsync("praetor-a", keyringFile: null);
        await JoinAsync(pool, serf);

        var output = await RunAsync(serf, "query", "-timeout", "3s", "hello", "payload");

        Assert.Contains("Ack from 'praetor-a'", output);
        Assert.Contains("Total Acks: 2", output);
        Assert.Contains("Total Responses: 0", output);
        // The query is Praetor's to answer (it is delivered), the internal ones never are.
        using var cts = new CancellationTokenSource(Deadline);
        var queries = new List<SerfQueryEvent>();
        while (!queries.Any(q => q.Name == "hello"))
        {
            if (await pool.Events.ReadAsync(cts.Token) is SerfQueryEvent query) queries.Add(query);
        }
        Assert.Equal("payload", System.Text.Encoding.UTF8.GetString(queries.Single(q => q.Name == "hello").Payload!));
        Assert.DoesNotContain(queries, q => InternalQueries.IsInternal(q.Name));
    }

    [SerfInteropFact]
    public async Task Praetors_keyring_operations_count_and_change_serfs_keys()
    {
        await using var serf = await SerfInteropAgent.StartAsync("serf1", encryptKey: Key1Text);
        await using var pool = await StartPoolAsync("praetor-a", keyringFile: null);
        await JoinAsync(pool, serf);

        var list = await pool.KeyringAsync(KeyringOperation.List, null, 0, CancellationToken.None);
        Assert.Null(list.Error);
        Assert.Equal((2, 2, 0), (list.NumNodes, list.NumResp, list.NumErr));
        Assert.Equal(2, list.Keys[Key1Text]);
        Assert.Equal(2, list.PrimaryKeys[Key1Text]);

        var install = await pool.KeyringAsync(KeyringOperation.Install, Key2Text, 0, CancellationToken.None);
        Assert.Null(install.Error);
        Assert.Equal(2, install.NumResp);
        Assert.Contains($"{Key2Text}  [2/2]", await RunAsync(serf, "keys", "-list"));

        var useUnknown = await pool.KeyringAsync(KeyringOperation.Use, Convert.ToBase64String(new byte[16]), 0, CancellationToken.None);
        Assert.Equal("2/2 nodes reported failure", useUnknown.Error);
        Assert.Equal("Requested key is not in the keyring", useUnknown.Messages["serf1"]);
        Assert.Equal("Requested key is not in the keyring", useUnknown.Messages["praetor-a"]);
    }

    private static Task<SerfPool> StartPoolAsync(string name, string? keyringFile) =>
        SerfPool.StartAsync(
            new SerfPoolConfig(name, new IPEndPoint(IPAddress.Loopback, 0))
            {
                GossipOptions = GossipOptions.Local() with { TcpTimeout = TimeSpan.FromSeconds(10) }, // 1 s timed out joins under load
                Keyring = new Keyring(Key1),
                KeyringFile = keyringFile,
                Tags = new Dictionary<string, string> { ["role"] = "praetor" },
            },
            TimeProvider.System,
            CancellationToken.None);

    private static async Task JoinAsync(SerfPool pool, SerfInteropAgent serf)
    {
        Assert.Equal(1, await pool.JoinAsync([serf.GossipAddress], false, CancellationToken.None));
        var clock = Stopwatch.StartNew();
        while (!(pool.Members().Any(m => m.Name == serf.Name && m.Status == MemberStatus.Alive) &&
                 (await serf.MembersAsync()).TryGetValue(pool.NodeName, out var status) && status == "alive"))
        {
            if (clock.Elapsed > Deadline) Assert.Fail($"{pool.NodeName} and {serf.Name} did not see each other alive\n{serf.Output}");
            await Task.Delay(200);
        }
    }

    private static async Task<string> RunAsync(SerfInteropAgent serf, string subcommand, params string[] args)
    {
        var (exit, output) = await serf.RunAsync(subcommand, args);
        Assert.True(exit == 0, $"serf {subcommand} {string.Join(' ', args)} exited {exit}: {output}\n{serf.Output}");
        return output;
    }

    private static string[] ReadKeyringFile(string path) => JsonSerializer.Deserialize<string[]>(File.ReadAllText(path))!;
}
