using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Praetor.Client;
using Praetor.Client.Watch;

namespace Praetor.Cli.Tests.Client;

/// <summary>Every watch type against an in-process agent: the first result, then one per change.</summary>
public sealed class WatchRunnerTests : CliAgentFixture
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Key_watch_hands_over_the_entry_then_each_new_value()
    {
        await PutAsync("cfg/a", "1");
        await using var watch = Start("""{ "type": "key", "key": "cfg/a" }""");
        using (var first = await watch.NextAsync())
        {
            Assert.Equal("cfg/a", first.RootElement.GetProperty("Key").GetString());
            Assert.Equal(Convert.ToBase64String("1"u8), first.RootElement.GetProperty("Value").GetString());
        }

        await PutAsync("cfg/a", "2");
        using var second = await watch.NextAsync();
        Assert.Equal(Convert.ToBase64String("2"u8), second.RootElement.GetProperty("Value").GetString());
    }

    [Fact]
    public async Task Key_watch_on_a_missing_key_starts_with_null()
    {
        await using var watch = Start("""{ "type": "key", "key": "later" }""");
        using (var first = await watch.NextAsync())
        {
            Assert.Equal(JsonValueKind.Null, first.RootElement.ValueKind);
        }

        await PutAsync("later", "here");
        using var second = await watch.NextAsync();
        Assert.Equal("later", second.RootElement.GetProperty("Key").GetString());
    }

    [Fact]
    public async Task Keyprefix_watch_lists_the_tree_on_every_change()
    {
        await PutAsync("app/a", "1");
        await using var watch = Start("""{ "type": "keyprefix", "prefix": "app/" }""");
        using (var first = await watch.NextAsync())
        {
            Assert.Equal(["app/a"], Keys(first));
        }

        await PutAsync("app/b", "2");
        using var second = await watch.NextAsync();
        Assert.Equal(["app/a", "app/b"], Keys(second));
    }

    [Fact]
    public async Task Services_watch_fires_for_a_new_service_and_not_for_an_unchanged_list()
    {
        await RegisterAsync("n2", "web-1", "web", "primary");
        await using var watch = Start("""{ "type": "services" }""");
        using (var first = await watch.NextAsync())
        {
            Assert.True(first.RootElement.TryGetProperty("web", out _));
        }

        // Another instance with the same tags: the index moves, the list of services does not.
        await RegisterAsync("n3", "web-2", "web", "primary");
        await RegisterAsync("n3", "db-1", "db", "replica");
        using var second = await watch.NextAsync();
        Assert.Equal(["replica"], second.RootElement.GetProperty("db").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Nodes_watch_fires_when_a_node_joins_the_catalog()
    {
        await using var watch = Start("""{ "type": "nodes" }""");
        using (var first = await watch.NextAsync())
        {
            Assert.Equal(["cli-test"], Names(first, "Node"));
        }

        await RegisterAsync("n2", "web-1", "web", "primary");
        using var second = await watch.NextAsync();
        Assert.Equal(["cli-test", "n2"], Names(second, "Node").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Service_watch_with_tag_and_passingonly_drops_an_instance_whose_check_fails()
    {
        await RegisterAsync("n2", "web-1", "web", "primary", "passing");
        await RegisterAsync("n3", "web-2", "web", "canary", "passing");
        await using var watch = Start("""{ "type": "service", "service": "web", "tag": ["primary"], "passingonly": true }""");
        using (var first = await watch.NextAsync())
        {
            Assert.Equal(["web-1"], first.RootElement.EnumerateArray().Select(e => e.GetProperty("Service").GetProperty("ID").GetString()));
        }

        await RegisterAsync("n2", "web-1", "web", "primary", "critical");
        using var second = await watch.NextAsync();
        Assert.Equal(0, second.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Checks_watch_by_state_and_by_service()
    {
        await RegisterAsync("n2", "web-1", "web", "primary", "passing");
        await using var byState = Start("""{ "type": "checks", "state": "critical" }""");
        await using var byService = Start("""{ "type": "checks", "service": "web" }""");
        using (var first = await byState.NextAsync())
        {
            Assert.Equal(0, first.RootElement.GetArrayLength());
        }

        using (var first = await byService.NextAsync())
        {
            Assert.Equal(["passing"], Names(first, "Status"));
        }

        await RegisterAsync("n2", "web-1", "web", "primary", "critical");
        using var critical = await byState.NextAsync();
        Assert.Equal(["web-1-alive"], Names(critical, "CheckID"));
        using var changed = await byService.NextAsync();
        Assert.Equal(["critical"], Names(changed, "Status"));
    }

    [Fact]
    public async Task Event_watch_hands_over_only_the_new_events_of_its_name()
    {
        await using var watch = Start("""{ "type": "event", "name": "deploy" }""");
        using (var first = await watch.NextAsync())
        {
            Assert.Equal(0, first.RootElement.GetArrayLength());
        }

        var one = await Client.Event.FireAsync(new UserEvent { Name = "deploy", Payload = "v1"u8.ToArray() });
        using (var second = await watch.NextAsync())
        {
            Assert.Equal([one.Id], Names(second, "ID"));
        }

        await Client.Event.FireAsync(new UserEvent { Name = "other" });
        var two = await Client.Event.FireAsync(new UserEvent { Name = "deploy", Payload = "v2"u8.ToArray() });
        using var third = await watch.NextAsync();
        Assert.Equal([two.Id], Names(third, "ID"));
    }

    [Fact]
    public async Task Unchanged_data_under_a_new_index_fires_nothing_and_an_index_going_back_restarts_the_wait()
    {
        var stub = new ScriptedHandler(
            (5, "[\"a\"]"), (6, "[\"a\"]"), (7, "[\"b\"]"), (3, "[\"b\"]"), (4, "[\"c\"]"));
        using var client = new PraetorClient(new PraetorClientConfig { Address = "127.0.0.1:1" }, stub);
        var updates = new List<WatchUpdate>();
        await WatchRunner.RunAsync(WatchPlan.Parse(Json("""{ "type": "nodes" }""")), client, (update, _) =>
        {
            updates.Add(update);
            return Task.FromResult(updates.Count < 3);
        });

        Assert.Equal([(5UL, "[\"a\"]"), (7UL, "[\"b\"]"), (4UL, "[\"c\"]")], updates.Select(u => (u.Index, Encoding.UTF8.GetString(u.Json))));
        // Each query waits on the index before; after 3 (below 7) the wait starts again from 0.
        Assert.Equal(["0", "5", "6", "7", "0"], stub.WaitIndexes);
    }

    [Fact]
    public async Task A_failed_query_is_retried_after_the_backoff_and_the_next_result_fires()
    {
        var stub = new ScriptedHandler((5, "[\"a\"]"), (0, null), (0, null), (5, "[\"a\"]"));
        using var client = new PraetorClient(new PraetorClientConfig { Address = "127.0.0.1:1" }, stub);
        var updates = new List<ulong>();
        var waits = new List<TimeSpan>();
        await WatchRunner.RunAsync(WatchPlan.Parse(Json("""{ "type": "nodes" }""")), client, (update, _) =>
        {
            updates.Add(update.Index);
            return Task.FromResult(updates.Count < 2);
        }, (error, wait) =>
        {
            Assert.IsType<ApiStatusException>(error);
            waits.Add(wait);
        }, new WatchRetryPolicy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(25)));

        // Consul's backoff: base times failures squared, capped; after an error the result fires again.
        Assert.Equal([TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(25)], waits);
        Assert.Equal([5UL, 5UL], updates);
        Assert.Equal(["0", "5", "0", "0"], stub.WaitIndexes);
    }

    [Theory]
    [InlineData("""{ "type": "service", "service": "web", "tag": ["a", "b"], "passingonly": true, "stale": true, "datacenter": "dc2", "token": "secret" }""",
        "/v1/health/service/web?dc=dc2&stale=&tag=a&tag=b&passing=1")]
    [InlineData("""{ "type": "keyprefix", "prefix": "app/x y", "token": "secret" }""", "/v1/kv/app/x%20y?recurse=")]
    [InlineData("""{ "type": "checks", "state": "critical", "token": "secret" }""", "/v1/health/state/critical")]
    [InlineData("""{ "type": "checks", "service": "web", "token": "secret" }""", "/v1/health/checks/web")]
    [InlineData("""{ "type": "event", "name": "deploy", "token": "secret" }""", "/v1/event/list?name=deploy")]
    public async Task Each_type_queries_its_endpoint_with_the_plans_parameters_and_token(string parameters, string expected)
    {
        var stub = new ScriptedHandler((5, "[]"));
        using var client = new PraetorClient(new PraetorClientConfig { Address = "127.0.0.1:1" }, stub);
        await WatchRunner.RunAsync(WatchPlan.Parse(Json(parameters)), client, (_, _) => Task.FromResult(false));

        var request = Assert.Single(stub.Requests);
        Assert.Equal(expected, request.RequestUri!.PathAndQuery);
        Assert.Equal(["secret"], request.Headers.GetValues("X-Consul-Token"));
    }

    [Fact]
    public void Consuls_retry_policy_grows_with_the_square_of_failures_up_to_three_minutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), WatchRetryPolicy.Default.After(1));
        Assert.Equal(TimeSpan.FromSeconds(45), WatchRetryPolicy.Default.After(3));
        Assert.Equal(TimeSpan.FromSeconds(180), WatchRetryPolicy.Default.After(7));
    }

    private RunningWatch Start(string parameters) => new(WatchPlan.Parse(Json(parameters)), Client);

    /// <summary>Registers a service instance on a node through the catalog, with a check in <paramref name="status"/> when given.</summary>
    private async Task RegisterAsync(string node, string id, string service, string tag, string? status = null)
    {
        var check = status is null ? "" : $$""", "Check": { "CheckID": "{{id}}-alive", "Name": "alive", "Status": "{{status}}", "ServiceID": "{{id}}" }""";
        var body = $$"""{ "Node": "{{node}}", "Address": "10.0.0.9", "Service": { "ID": "{{id}}", "Service": "{{service}}", "Tags": ["{{tag}}"], "Port": 80 }{{check}} }""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Http.PutAsync(new Uri(Host.HttpAddress, "/v1/catalog/register"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static string[] Keys(JsonDocument list) => Names(list, "Key");

    private static string[] Names(JsonDocument list, string property) =>
        [.. list.RootElement.EnumerateArray().Select(e => e.GetProperty(property).GetString()!)];

    /// <summary>A plan running in the background, its updates queued for the test to take in order.</summary>
    private sealed class RunningWatch : IAsyncDisposable
    {
        private readonly Channel<WatchUpdate> _updates = Channel.CreateUnbounded<WatchUpdate>();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public RunningWatch(WatchPlan plan, PraetorClient client)
        {
            _run = WatchRunner.RunAsync(plan, client, async (update, ct) =>
            {
                await _updates.Writer.WriteAsync(update, ct);
                return true;
            }, (error, _) => _updates.Writer.TryComplete(error), null, _stop.Token);
        }

        public async Task<JsonDocument> NextAsync()
        {
            var update = await _updates.Reader.ReadAsync().AsTask().WaitAsync(Deadline);
            return JsonDocument.Parse(update.Json);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(Deadline);
            _stop.Dispose();
        }
    }

    /// <summary>Answers the watch's queries from a script of (index, body) answers, a null body as a 500; then waits to be cancelled.</summary>
    private sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly (ulong Index, string? Body)[] _script;
        private int _next;

        public ScriptedHandler(params (ulong Index, string? Body)[] script)
        {
            _script = script;
        }

        public List<string> WaitIndexes { get; } = [];

        public List<HttpRequestMessage> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query);
            WaitIndexes.Add(query["index"] ?? "0");
            Requests.Add(request);
            if (_next >= _script.Length)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var (index, body) = _script[_next++];
            var response = body is null
                ? new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("boom") }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            response.Headers.TryAddWithoutValidation("X-Consul-Index", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return response;
        }
    }
}
