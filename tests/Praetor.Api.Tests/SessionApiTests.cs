using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Praetor.Agent;

namespace Praetor.Api.Tests;

/// <summary>`/v1/session/*` and KV locks on a dev agent whose clock the test drives (TTLs, lock-delay).</summary>
public sealed class SessionApiTests : AgentFixture
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    protected override AgentStartOptions Options => new() { Time = _time };

    private async Task RegisterNodeAsync(string webAlive = "passing")
    {
        using var response = await PutAsync("/v1/catalog/register", $$"""
            {"Node":"test-node","Address":"127.0.0.1","Checks":[
              {"CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing"},
              {"CheckID":"web-alive","Name":"web","Status":"{{webAlive}}"}]}
            """);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string> CreateAsync(string body = "")
    {
        using var response = await PutAsync("/v1/session/create", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("ID").GetString()!;
    }

    private async Task<JsonElement[]> SessionsAsync(string path) =>
        [.. JsonDocument.Parse(await Http.GetStringAsync(path)).RootElement.EnumerateArray()];

    private async Task<JsonElement> EntryAsync(string key) =>
        JsonDocument.Parse(await Http.GetStringAsync($"/v1/kv/{key}")).RootElement[0];

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Create_takes_consuls_defaults_and_info_node_and_list_show_the_session_with_query_headers()
    {
        await RegisterNodeAsync();

        var id = await CreateAsync();

        using var info = await Http.GetAsync($"/v1/session/info/{id}");
        var index = IndexOf(info);
        Assert.Equal(
            $$"""[{"ID":"{{id}}","Name":"","Node":"test-node","LockDelay":15000000000,"Behavior":"release","TTL":"","NodeChecks":["serfHealth"],"ServiceChecks":null,"CreateIndex":{{index}},"ModifyIndex":{{index}}}]""",
            await info.Content.ReadAsStringAsync());
        Assert.Equal("true", info.Headers.GetValues("X-Consul-KnownLeader").Single());
        Assert.Equal(id, Assert.Single(await SessionsAsync("/v1/session/node/test-node")).GetProperty("ID").GetString());
        Assert.Equal(id, Assert.Single(await SessionsAsync("/v1/session/list")).GetProperty("ID").GetString());
        Assert.Empty(await SessionsAsync("/v1/session/info/no-such-id"));
        Assert.Empty(await SessionsAsync("/v1/session/node/other-node"));
    }

    [Fact]
    public async Task Create_reads_name_behavior_lock_delay_ttl_and_checks()
    {
        await RegisterNodeAsync();

        var id = await CreateAsync("""{"Name":"db lock","Behavior":"delete","LockDelay":"1ms","TTL":"15.000000s","Checks":["web-alive"],"ServiceChecks":null}""");

        var session = Assert.Single(await SessionsAsync($"/v1/session/info/{id}"));
        Assert.Equal(("db lock", "delete", 1_000_000L, "15.000000s", "[\"web-alive\"]"),
            (session.GetProperty("Name").GetString(), session.GetProperty("Behavior").GetString(), session.GetProperty("LockDelay").GetInt64(),
             session.GetProperty("TTL").GetString(), session.GetProperty("NodeChecks").GetRawText()));
        var seconds = await CreateAsync("""{"LockDelay":5}""");
        Assert.Equal(5_000_000_000L, Assert.Single(await SessionsAsync($"/v1/session/info/{seconds}")).GetProperty("LockDelay").GetInt64());
    }

    [Theory]
    [InlineData("""{"TTL":"5s"}""", HttpStatusCode.InternalServerError, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"25h"}""", HttpStatusCode.InternalServerError, "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"soon"}""", HttpStatusCode.InternalServerError, "Session TTL 'soon' invalid: ")]
    [InlineData("""{"Behavior":"keep"}""", HttpStatusCode.InternalServerError, "Invalid Behavior setting 'keep'")]
    [InlineData("""{"Node":"ghost"}""", HttpStatusCode.InternalServerError, "Missing node registration")]
    [InlineData("""{"NodeChecks":["nope"]}""", HttpStatusCode.InternalServerError, "Missing check 'nope' registration")]
    [InlineData("""{"TTL":""", HttpStatusCode.BadRequest, "Request decode failed")]
    [InlineData("""{"LockDelay":true}""", HttpStatusCode.BadRequest, "Request decode failed")]
    [InlineData("""[1]""", HttpStatusCode.BadRequest, "Request decode failed")]
    public async Task Bad_create_requests_are_refused_with_consuls_text_and_create_nothing(string body, HttpStatusCode status, string reason)
    {
        await RegisterNodeAsync();
        using var before = await Http.GetAsync("/v1/session/list");

        using var response = await PutAsync("/v1/session/create", body);

        Assert.Equal(status, response.StatusCode);
        Assert.StartsWith(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var after = await Http.GetAsync("/v1/session/list");
        Assert.Equal("[]", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_critical_check_refuses_create()
    {
        await RegisterNodeAsync(webAlive: "critical");

        using var response = await PutAsync("/v1/session/create", """{"NodeChecks":["serfHealth","web-alive"]}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("Check 'web-alive' is in critical state", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Renew_answers_the_session_and_an_unknown_one_is_404_as_consul()
    {
        await RegisterNodeAsync();
        var id = await CreateAsync("""{"TTL":"10s"}""");

        using var renewed = await PutAsync($"/v1/session/renew/{id}", "");
        using var unknown = await PutAsync("/v1/session/renew/0b1a7c1e-0000-0000-0000-000000000000", "");

        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        Assert.Equal(id, JsonDocument.Parse(await renewed.Content.ReadAsStringAsync()).RootElement[0].GetProperty("ID").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("Session id '0b1a7c1e-0000-0000-0000-000000000000' not found", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_blocking_list_returns_when_a_session_is_created()
    {
        await RegisterNodeAsync();
        using var first = await Http.GetAsync("/v1/session/list");
        var index = IndexOf(first);

        var blocked = Http.GetAsync($"/v1/session/list?index={index}&wait=30s");
        await Task.Delay(50);
        Assert.False(blocked.IsCompleted);
        var id = await CreateAsync();

        using var answer = await blocked;
        Assert.True(IndexOf(answer) > index);
        Assert.Contains(id, await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_contenders_hold_the_lock_one_at_a_time_and_LockIndex_fences_them()
    {
        await RegisterNodeAsync();
        var s1 = await CreateAsync();
        var s2 = await CreateAsync();

        Assert.Equal("true", await PutTextAsync($"/v1/kv/service/leader?acquire={s1}", "one"));
        Assert.Equal("false", await PutTextAsync($"/v1/kv/service/leader?acquire={s2}", "two"));
        Assert.Equal("true", await PutTextAsync($"/v1/kv/service/leader?acquire={s1}", "one again"));
        var held = await EntryAsync("service/leader");
        Assert.Equal((s1, 1UL), (held.GetProperty("Session").GetString(), held.GetProperty("LockIndex").GetUInt64()));

        Assert.Equal("false", await PutTextAsync($"/v1/kv/service/leader?release={s2}", ""));
        Assert.Equal("true", await PutTextAsync($"/v1/kv/service/leader?release={s1}", ""));
        Assert.False((await EntryAsync("service/leader")).TryGetProperty("Session", out _));
        Assert.Equal("true", await PutTextAsync($"/v1/kv/service/leader?acquire={s2}", "two"));

        var second = await EntryAsync("service/leader");
        Assert.Equal((s2, 2UL), (second.GetProperty("Session").GetString(), second.GetProperty("LockIndex").GetUInt64()));
        using var delete = await Http.DeleteAsync("/v1/kv/service/leader");
        Assert.Equal("true", await delete.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Destroying_the_holder_releases_the_lock_and_lock_delay_refuses_an_acquire_until_it_passes()
    {
        await RegisterNodeAsync();
        var holder = await CreateAsync("""{"LockDelay":"10s"}""");
        var other = await CreateAsync();
        await PutTextAsync($"/v1/kv/leader?acquire={holder}", "v");

        Assert.Equal("true", await PutTextAsync($"/v1/session/destroy/{holder}", ""));

        Assert.False((await EntryAsync("leader")).TryGetProperty("Session", out _));
        Assert.Equal("false", await PutTextAsync($"/v1/kv/leader?acquire={other}", "v"));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("true", await PutTextAsync($"/v1/kv/leader?acquire={other}", "v"));
        Assert.Equal("true", await PutTextAsync($"/v1/session/destroy/{holder}", ""));
    }

    [Fact]
    public async Task A_bound_check_going_critical_invalidates_the_session_and_releases_its_lock()
    {
        await RegisterNodeAsync();
        var id = await CreateAsync("""{"NodeChecks":["serfHealth","web-alive"],"LockDelay":"0s"}""");
        await PutTextAsync($"/v1/kv/leader?acquire={id}", "v");

        await RegisterNodeAsync(webAlive: "critical");

        Assert.Empty(await SessionsAsync($"/v1/session/info/{id}"));
        Assert.False((await EntryAsync("leader")).TryGetProperty("Session", out _));
    }

    [Fact]
    public async Task Deregistering_the_node_invalidates_its_sessions()
    {
        await RegisterNodeAsync();
        var id = await CreateAsync("""{"Behavior":"delete"}""");
        await PutTextAsync($"/v1/kv/leader?acquire={id}", "v");

        await PutTextAsync("/v1/catalog/deregister", """{"Node":"test-node"}""");

        Assert.Empty(await SessionsAsync("/v1/session/list"));
        using var gone = await Http.GetAsync("/v1/kv/leader");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task The_leader_destroys_a_session_not_renewed_within_twice_its_TTL_and_a_renewal_resets_the_timer()
    {
        await RegisterNodeAsync();
        var id = await CreateAsync("""{"TTL":"10s","LockDelay":"0s"}""");
        await PutTextAsync($"/v1/kv/leader?acquire={id}", "v");
        // The next check arms the session's timer: 2 × 10s from now.
        _time.Advance(SessionTtlReaper.Granularity);

        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Single(await SessionsAsync($"/v1/session/info/{id}"));
        using (await PutAsync($"/v1/session/renew/{id}", ""))
        {
        }
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Single(await SessionsAsync($"/v1/session/info/{id}"));

        _time.Advance(TimeSpan.FromSeconds(6));

        await WaitForAsync(async () => (await SessionsAsync($"/v1/session/info/{id}")).Length == 0, "the expired session to be destroyed");
        Assert.False((await EntryAsync("leader")).TryGetProperty("Session", out _));
        using var renew = await PutAsync($"/v1/session/renew/{id}", "");
        Assert.Equal(HttpStatusCode.NotFound, renew.StatusCode);
    }

    [Fact]
    public async Task Txn_lock_unlock_and_check_session_use_the_session_table()
    {
        await RegisterNodeAsync();
        var s1 = await CreateAsync();
        var s2 = await CreateAsync();
        string Op(string verb, string session) => $$$"""[{"KV":{"Verb":"{{{verb}}}","Key":"k","Value":"{{{B64("v")}}}","Session":"{{{session}}}"}}]""";

        using var locked = await TxnAsync(Op("lock", s1));
        using var taken = await TxnAsync(Op("lock", s2));
        using var checkedSession = await TxnAsync(Op("check-session", s1));
        using var unknown = await TxnAsync(Op("lock", "0b1a7c1e-0000-0000-0000-000000000000"));
        using var unlocked = await TxnAsync(Op("unlock", s1));

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains("failed to lock key \\\"k\\\", lock is already held", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, checkedSession.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, unknown.StatusCode);
        Assert.Contains("invalid session", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        Assert.Equal(1UL, (await EntryAsync("k")).GetProperty("LockIndex").GetUInt64());
    }

    [Fact]
    public async Task Destroy_and_renew_without_an_id_are_400()
    {
        using var destroy = await PutAsync("/v1/session/destroy/", "");
        using var renew = await PutAsync("/v1/session/renew/", "");

        Assert.Equal(HttpStatusCode.BadRequest, destroy.StatusCode);
        Assert.Equal("Missing session", await destroy.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, renew.StatusCode);
    }
}
