using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Praetor.Agent;
using Praetor.Gossip;

namespace Praetor.Api.Tests;

/// <summary>
/// <c>GET /v1/agent/metrics</c>: Consul's in-memory sink JSON and Prometheus text, moved by HTTP,
/// KV, transaction, DNS and gossip traffic. A 100 ms interval makes finished intervals come soon.
/// </summary>
public sealed partial class MetricsApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly List<AgentHost> _hosts = [];
    private AgentHost _host = null!;
    private HttpClient _http = null!;

    private static AgentConfig Config(string name) => new()
    {
        DevMode = true, Server = true, NodeName = name, BindAddr = "127.0.0.1",
        HttpPort = 0, DnsPort = 0, SerfLanPort = 0, SerfWanPort = AgentConfig.PortDisabled,
    };

    public async Task InitializeAsync()
    {
        (_host, _http) = await StartAsync("metrics-a");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    private async Task<(AgentHost Host, HttpClient Http)> StartAsync(string name)
    {
        var host = await AgentHost.StartAsync(Config(name), new AgentStartOptions { MetricsInterval = Interval }, CancellationToken.None);
        _hosts.Add(host);
        return (host, new HttpClient { BaseAddress = host.HttpAddress, Timeout = TimeSpan.FromSeconds(30) });
    }

    [Fact]
    public async Task Json_has_the_in_memory_sinks_shape()
    {
        using (var response = await _http.GetAsync("/v1/agent/metrics"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }

        // Traffic first, so that counters and samples have entries whose fields can be checked.
        var json = await PutKeyUntilAsync(_http, doc => Find(doc, "Samples", "consul.kvs.apply") is not null);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(["Timestamp", "Gauges", "Points", "Counters", "Samples"], root.EnumerateObject().Select(p => p.Name));
        Assert.Matches(TimestampPattern(), root.GetProperty("Timestamp").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("Points").ValueKind);
        foreach (var list in new[] { "Counters", "Samples" })
        {
            foreach (var entry in root.GetProperty(list).EnumerateArray())
            {
                Assert.Equal(["Name", "Count", "Rate", "Sum", "Min", "Max", "Mean", "Stddev", "Labels"], entry.EnumerateObject().Select(p => p.Name));
                Assert.Equal(JsonValueKind.Object, entry.GetProperty("Labels").ValueKind);
                Assert.True(entry.GetProperty("Min").GetDouble() <= entry.GetProperty("Mean").GetDouble());
                Assert.True(entry.GetProperty("Mean").GetDouble() <= entry.GetProperty("Max").GetDouble());
            }
        }
        foreach (var gauge in root.GetProperty("Gauges").EnumerateArray())
        {
            Assert.Equal(["Name", "Value", "Labels"], gauge.EnumerateObject().Select(p => p.Name));
        }
        var apply = Find(root, "Samples", "consul.kvs.apply")!.Value;
        Assert.True(apply.GetProperty("Count").GetInt64() >= 1);
        Assert.True(apply.GetProperty("Sum").GetDouble() > 0);
    }

    [Fact]
    public async Task A_kv_put_moves_kvs_apply_raft_commit_time_and_the_http_sample_labelled_by_method_and_path()
    {
        await PutKeyUntilAsync(_http, doc =>
            Find(doc, "Samples", "consul.kvs.apply") is not null
            && Find(doc, "Samples", "consul.raft.commitTime") is not null
            && Find(doc, "Counters", "consul.raft.apply") is not null
            && Find(doc, "Samples", "consul.api.http", ("method", "PUT"), ("path", "v1_kv_")) is not null);
    }

    [Fact]
    public async Task A_transaction_moves_txn_apply()
    {
        await UntilAsync(_http, async () =>
        {
            using var body = new StringContent("""[{"KV":{"Verb":"set","Key":"txn-metric","Value":"eA=="}}]""", Encoding.UTF8, "application/json");
            using var response = await _http.PutAsync("/v1/txn", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }, doc => Find(doc, "Samples", "consul.txn.apply") is not null);
    }

    [Fact]
    public async Task Dns_queries_move_domain_query_and_ptr_query_labelled_with_the_node()
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await UntilAsync(_http, async () =>
        {
            await udp.SendAsync(DnsQuery("metrics-a.node.consul", 1), _host.DnsEndpoint!);
            await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));
            await udp.SendAsync(DnsQuery("1.0.0.127.in-addr.arpa", 12), _host.DnsEndpoint!);
            await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }, doc => Find(doc, "Samples", "consul.dns.domain_query", ("node", "metrics-a")) is not null
            && Find(doc, "Samples", "consul.dns.ptr_query", ("node", "metrics-a")) is not null);
    }

    [Fact]
    public async Task A_garbage_packet_to_the_gossip_pool_is_counted_as_dropped()
    {
        var pool = Assert.IsType<SerfPool>(_host.Agent.Lan!.Pool);
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await UntilAsync(_http, async () =>
        {
            await udp.SendAsync(new byte[] { 0xee, 0x00, 0x13, 0x37 }, pool.AdvertiseEndpoint);
        }, doc => Find(doc, "Counters", "consul.memberlist.udp.dropped") is not null
            && Find(doc, "Counters", "consul.memberlist.udp.received") is not null);
        Assert.True(pool.Statistics.UdpPacketsDropped >= 1);
    }

    [Fact]
    public async Task Gauges_report_the_members_by_role_and_the_health_score()
    {
        await UntilAsync(_http, () => Task.CompletedTask, doc =>
            Find(doc, "Gauges", "consul.members.servers") is { } servers && servers.GetProperty("Value").GetDouble() == 1
            && Find(doc, "Gauges", "consul.members.clients") is { } clients && clients.GetProperty("Value").GetDouble() == 0);
        var text = await _http.GetStringAsync("/v1/agent/metrics?format=prometheus");
        Assert.Contains("consul_memberlist_health_score 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_text_parses_and_names_the_metrics_as_go_metrics_does()
    {
        await PutKeyUntilAsync(_http, doc => Find(doc, "Samples", "consul.kvs.apply") is not null);

        using var response = await _http.GetAsync("/v1/agent/metrics?format=prometheus");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var typed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) continue;
            var type = TypeLine().Match(line);
            if (type.Success)
            {
                Assert.True(typed.TryAdd(type.Groups[1].Value, type.Groups[2].Value), $"TYPE twice for {type.Groups[1].Value}");
                continue;
            }
            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not a sample line: {line}");
            var name = sample.Groups[1].Value;
            var family = typed.ContainsKey(name) ? name : Regex.Replace(name, "_(sum|count)$", "");
            Assert.True(typed.ContainsKey(family), $"sample before its TYPE: {line}");
            Assert.True(double.TryParse(sample.Groups[3].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _), $"bad value: {line}");
        }
        Assert.Equal("summary", typed["consul_kvs_apply"]);
        Assert.Equal("counter", typed["consul_raft_apply"]);
        Assert.Equal("gauge", typed["consul_members_servers"]);
        // The -dev server elected itself once and leads.
        Assert.Contains("\nconsul_raft_state_leader 1\n", text, StringComparison.Ordinal);
        Assert.Contains("\nconsul_server_isLeader 1\n", text, StringComparison.Ordinal);
        Assert.Matches(@"consul_api_http_count\{method=""PUT"",path=""v1_kv_""\} [1-9]", text);
        Assert.DoesNotContain("consul.", text.Replace("# HELP", "", StringComparison.Ordinal).Split('\n').Where(l => !l.StartsWith(' ')).Select(l => l.Split(' ')[0]), StringComparer.Ordinal);
    }

    [Fact]
    public async Task An_openmetrics_accept_header_gets_prometheus_text_and_plain_json_without_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/agent/metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        using var response = await _http.SendAsync(request);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.StartsWith("# HELP ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var json = await _http.GetAsync("/v1/agent/metrics?format=");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_format_is_refused_with_400()
    {
        using var response = await _http.GetAsync("/v1/agent/metrics?format=xml");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown metrics format \"xml\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_agents_in_one_process_count_only_their_own_traffic()
    {
        var (_, httpB) = await StartAsync("metrics-b");
        using (httpB)
        {
            await PutKeyUntilAsync(httpB, doc => Find(doc, "Samples", "consul.kvs.apply") is not null);
            var ours = await _http.GetStringAsync("/v1/agent/metrics?format=prometheus");
            Assert.DoesNotContain("consul_kvs_apply", ours, StringComparison.Ordinal);
            var theirs = await httpB.GetStringAsync("/v1/agent/metrics?format=prometheus");
            Assert.Contains("consul_kvs_apply_count", theirs, StringComparison.Ordinal);
        }
    }

    /// <summary>PUTs a key, then reads the metrics, until a shown interval satisfies <paramref name="done"/> (the put lands in an interval shown once it finishes).</summary>
    private static Task<string> PutKeyUntilAsync(HttpClient http, Func<JsonElement, bool> done) =>
        UntilAsync(http, async () =>
        {
            using var response = await http.PutAsync("/v1/kv/metric-key", new StringContent("v"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }, done);

    /// <summary>Makes traffic and reads the metrics until the shown interval satisfies <paramref name="done"/>; that interval's JSON.</summary>
    private static async Task<string> UntilAsync(HttpClient http, Func<Task> traffic, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            await traffic();
            await Task.Delay(Interval);
            var json = await http.GetStringAsync("/v1/agent/metrics");
            using var doc = JsonDocument.Parse(json);
            if (done(doc.RootElement)) return json;
            Assert.True(DateTime.UtcNow < deadline, $"the metrics did not move in time; last: {doc.RootElement}");
        }
    }

    private static JsonElement? Find(JsonElement root, string list, string name, params (string Key, string Value)[] labels)
    {
        foreach (var entry in root.GetProperty(list).EnumerateArray())
        {
            if (entry.GetProperty("Name").GetString() != name) continue;
            var entryLabels = entry.GetProperty("Labels");
            if (labels.All(l => entryLabels.TryGetProperty(l.Key, out var v) && v.GetString() == l.Value)) return entry.Clone();
        }
        return null;
    }

    private static byte[] DnsQuery(string name, ushort type)
    {
        var packet = new List<byte> { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            packet.Add((byte)label.Length);
            packet.AddRange(Encoding.ASCII.GetBytes(label));
        }
        packet.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. packet];
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$")]
    private static partial Regex TimestampPattern();

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*""(?:,[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"")*\})? (\S+)$")]
    private static partial Regex SampleLine();
}
