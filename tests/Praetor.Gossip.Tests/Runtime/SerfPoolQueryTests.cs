using System.Net;
using System.Text;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;
using static Praetor.Gossip.Tests.Runtime.PoolTestKit;

namespace Praetor.Gossip.Tests.Runtime;

/// <summary>Queries, Serf's internal queries and name conflicts between real SerfPools on 127.0.0.1.</summary>
public sealed class SerfPoolQueryTests
{
    private static readonly byte[] Key1 = Enumerable.Repeat((byte)11, 32).ToArray();
    private static readonly byte[] Key2 = Enumerable.Repeat((byte)22, 32).ToArray();

    /// <summary>
    /// Pools joined to the first. Their queries' default deadline is 10 s, not 1.6 s: a keyring
    /// operation ends when every node has answered, and a loaded CI machine once missed the 1.6 s.
    /// </summary>
    private static async Task<SerfPool[]> ClusterAsync(Keyring? keyring, params string[] names)
    {
        var pools = new SerfPool[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            pools[i] = await StartAsync(names[i], keyring, queryTimeoutMult: 100);
            if (i > 0) await pools[i].JoinAsync([Address(pools[0])], false, CancellationToken.None);
        }
        foreach (var pool in pools)
        {
            await WaitUntilAsync(() => pool.Members().Count(m => m.Status == MemberStatus.Alive) == names.Length, $"{pool.NodeName} to see {names.Length} alive (sees {Describe(pool)})");
        }
        return pools;
    }

    private static async Task DisposeAllAsync(SerfPool[] pools)
    {
        foreach (var pool in pools) await pool.DisposeAsync();
    }

    [Fact]
    public async Task A_query_collects_every_nodes_ack_and_the_responses_of_those_that_answer()
    {
        var pools = await ClusterAsync(null, "a", "b", "c");
        try
        {
            var response = await pools[0].QueryAsync("hello", "ping"u8.ToArray(), new QueryParam { RequestAck = true, Timeout = TimeSpan.FromSeconds(5) }, CancellationToken.None);
            var delivered = await NextEventAsync<SerfQueryEvent>(pools[1], q => q.Name == "hello");
            Assert.Equal("ping", Encoding.UTF8.GetString(delivered.Payload!));
            pools[1].Respond(delivered, "pong"u8.ToArray());
            Assert.Equal("response already sent", Assert.Throws<GossipException>(() => pools[1].Respond(delivered, "again"u8.ToArray())).Message);

            var acks = new List<string>();
            await foreach (var ack in response.Acks!.ReadAllAsync()) acks.Add(ack);
            var answers = new List<SerfNodeResponse>();
            await foreach (var answer in response.Responses.ReadAllAsync()) answers.Add(answer);

            Assert.Equal(["a", "b", "c"], acks.Order());
            var only = Assert.Single(answers);
            Assert.Equal(("b", "pong"), (only.From, Encoding.UTF8.GetString(only.Payload!)));
        }
        finally
        {
            await DisposeAllAsync(pools);
        }
    }

    [Fact]
    public async Task Keyring_operations_reach_every_pool_and_internal_queries_stay_off_events()
    {
        var pools = await ClusterAsync(new Keyring(Key1), "a", "b", "c");
        try
        {
            var list = await pools[0].KeyringAsync(KeyringOperation.List, null, 0, CancellationToken.None);
            Assert.Null(list.Error);
            Assert.Equal((3, 3, 0), (list.NumNodes, list.NumResp, list.NumErr));
            Assert.Equal(3, list.Keys[Convert.ToBase64String(Key1)]);

            var install = await pools[1].KeyringAsync(KeyringOperation.Install, Convert.ToBase64String(Key2), 1, CancellationToken.None);
            Assert.Null(install.Error);
            Assert.All(pools, p => Assert.True(p.Keyring!.Contains(Key2), p.NodeName));

            var use = await pools[2].KeyringAsync(KeyringOperation.Use, Convert.ToBase64String(Key2), 0, CancellationToken.None);
            Assert.Null(use.Error);
            Assert.All(pools, p => Assert.Equal(Key2, p.Keyring!.PrimaryKey.ToArray()));

            var removePrimary = await pools[0].KeyringAsync(KeyringOperation.Remove, Convert.ToBase64String(Key2), 0, CancellationToken.None);
            Assert.Equal("3/3 nodes reported failure", removePrimary.Error);
            Assert.Equal("Removing the primary key is not allowed", removePrimary.Messages["b"]);

            var remove = await pools[0].KeyringAsync(KeyringOperation.Remove, Convert.ToBase64String(Key1), 0, CancellationToken.None);
            Assert.Null(remove.Error);
            Assert.All(pools, p => Assert.Equal(1, p.Keyring!.Count));

            // Gossip goes on under the new key: a user event still crosses.
            pools[0].FireUserEvent("after-rotation", [], coalesce: false);
            await NextEventAsync<SerfUserEvent>(pools[2], e => e.Name == "after-rotation");
            while (pools[2].Events.TryRead(out var e)) Assert.False(e is SerfQueryEvent q && InternalQueries.IsInternal(q.Name), $"{e} was delivered");

            await Assert.ThrowsAsync<GossipException>(() => pools[0].KeyringAsync(KeyringOperation.Install, "not base64!", 0, CancellationToken.None));
        }
        finally
        {
            await DisposeAllAsync(pools);
        }
    }

    [Fact]
    public async Task Keyring_operations_without_encryption_fail_on_every_node_with_serfs_message()
    {
        var pools = await ClusterAsync(null, "a", "b");
        try
        {
            var list = await pools[0].KeyringAsync(KeyringOperation.List, null, 0, CancellationToken.None);
            Assert.Equal("2/2 nodes reported failure", list.Error);
            Assert.Equal("Keyring is empty (encryption not enabled)", list.Messages["b"]);
            var install = await pools[0].KeyringAsync(KeyringOperation.Install, Convert.ToBase64String(Key1), 0, CancellationToken.None);
            Assert.Equal("No keyring to modify (encryption not enabled)", install.Messages["a"]);
        }
        finally
        {
            await DisposeAllAsync(pools);
        }
    }

    [Fact]
    public async Task A_node_claiming_a_taken_name_loses_the_vote_and_stops_while_the_original_stays()
    {
        await using var original = await StartAsync("dup");
        await using var judge = await StartAsync("judge");
        await judge.JoinAsync([Address(original)], false, CancellationToken.None);
        await WaitForStatusAsync(original, "judge", MemberStatus.Alive);
        await WaitForStatusAsync(judge, "dup", MemberStatus.Alive);

        await using var impostor = await StartAsync("dup");
        await impostor.JoinAsync([Address(judge)], false, CancellationToken.None);

        await WaitUntilAsync(() => impostor.IsStopped, "the impostor to lose the name conflict vote and stop");
        Assert.False(original.IsStopped);
        Assert.False(judge.IsStopped);
        var dup = judge.Members().Single(m => m.Name == "dup");
        Assert.Equal(original.AdvertiseEndpoint.Port, dup.Port);
    }
}
