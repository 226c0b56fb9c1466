using System.Text;
using Praetor.Client;
using Praetor.Client.Kv;

namespace Praetor.Cli.Tests.Client;

/// <summary>The client against a real in-process dev agent.</summary>
public sealed class PraetorClientAgentTests : CliAgentFixture
{
    [Fact]
    public async Task Status_reports_this_server_as_leader_and_only_peer()
    {
        var leader = await Client.Status.LeaderAsync();
        Assert.NotEqual(string.Empty, leader);
        Assert.Equal([leader], await Client.Status.PeersAsync());
    }

    [Fact]
    public async Task Agent_self_reports_the_consul_version_and_node_name()
    {
        var self = await Client.Agent.SelfAsync();
        Assert.Equal("1.20.0", self.Config.Version);
        Assert.Equal(Praetor.Agent.BuildInfo.PraetorVersion, self.Config.PraetorVersion);
        Assert.Equal("cli-test", self.Config.NodeName);
    }

    [Fact]
    public async Task Agent_metrics_read_as_json_and_as_prometheus_text()
    {
        var metrics = await Client.Agent.MetricsAsync();
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$", metrics.Timestamp);
        // Gauges are observed from the start and keep their value in every interval.
        Assert.Contains(metrics.Gauges, g => g.Name == "consul.members.servers");

        // The agent registered itself through the log: totals since start count it.
        var text = await Client.Agent.MetricsPrometheusAsync();
        Assert.Contains("# TYPE consul_raft_apply counter\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_then_get_round_trips_value_flags_and_indexes()
    {
        Assert.True(await Client.Kv.PutAsync("zip", Encoding.UTF8.GetBytes("zap"), flags: 5));
        var result = await Client.Kv.GetAsync("zip");
        var entry = result.Response!;
        Assert.Equal("zap", Encoding.UTF8.GetString(entry.Value!));
        Assert.Equal(5UL, entry.Flags);
        Assert.Equal(entry.ModifyIndex, result.Meta.LastIndex);
        Assert.True(result.Meta.KnownLeader);
        Assert.True(entry.CreateIndex > 0);
    }

    [Fact]
    public async Task Cas_succeeds_once_per_index()
    {
        Assert.True(await Client.Kv.CasAsync("k", Encoding.UTF8.GetBytes("1"), modifyIndex: 0));
        Assert.False(await Client.Kv.CasAsync("k", Encoding.UTF8.GetBytes("2"), modifyIndex: 0));
        var index = (await Client.Kv.GetAsync("k")).Response!.ModifyIndex;
        Assert.True(await Client.Kv.CasAsync("k", Encoding.UTF8.GetBytes("3"), index));
        Assert.False(await Client.Kv.CasAsync("k", Encoding.UTF8.GetBytes("4"), index));
    }

    [Fact]
    public async Task Committed_transaction_returns_results()
    {
        var result = await Client.Kv.TxnAsync(
        [
            TxnOp.ForKv(new KvTxnOp { Verb = KvTxnVerbs.Set, Key = "t/a", Value = Encoding.UTF8.GetBytes("1") }),
            TxnOp.ForKv(new KvTxnOp { Verb = KvTxnVerbs.Get, Key = "t/a" }),
        ]);
        Assert.True(result.Committed);
        Assert.Equal(2, result.Response.Results!.Count);
        Assert.Equal("1", Encoding.UTF8.GetString(result.Response.Results[1].KV!.Value!));
    }

    [Fact]
    public async Task Failed_check_rolls_the_transaction_back()
    {
        var result = await Client.Kv.TxnAsync(
        [
            TxnOp.ForKv(new KvTxnOp { Verb = KvTxnVerbs.Set, Key = "t/b", Value = [1] }),
            TxnOp.ForKv(new KvTxnOp { Verb = KvTxnVerbs.CheckIndex, Key = "t/missing", Index = 99 }),
        ]);
        Assert.False(result.Committed);
        Assert.Equal(1, Assert.Single(result.Response.Errors!).OpIndex);
        Assert.Null((await Client.Kv.GetAsync("t/b")).Response);
    }

    [Fact]
    public async Task Blocking_get_returns_when_the_key_changes()
    {
        await PutAsync("watched", "1");
        var first = await Client.Kv.GetAsync("watched");
        var blocked = Client.Kv.GetAsync("watched", new QueryOptions { WaitIndex = first.Meta.LastIndex, WaitTime = TimeSpan.FromSeconds(30) });
        await Task.Delay(100);
        Assert.False(blocked.IsCompleted);
        await PutAsync("watched", "2");
        var changed = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(changed.Meta.LastIndex > first.Meta.LastIndex);
        Assert.Equal("2", Encoding.UTF8.GetString(changed.Response!.Value!));
    }

    [Fact]
    public async Task Keys_and_list_see_the_same_prefix()
    {
        await PutAsync("p/a", "1");
        await PutAsync("p/b/c", "2");
        Assert.Equal(["p/a", "p/b/"], (await Client.Kv.KeysAsync("p/", "/")).Response);
        var listed = (await Client.Kv.ListAsync("p/")).Response;
        Assert.Equal(["p/a", "p/b/c"], listed.Select(e => e.Key));
        Assert.True(await Client.Kv.DeleteAsync("p/a"));
        Assert.True(await Client.Kv.DeleteTreeAsync("p/"));
        Assert.Empty((await Client.Kv.ListAsync("p/")).Response);
    }
}
