using System.Net;
using Praetor.Agent;

namespace Praetor.Api.Tests;

/// <summary>`/v1/agent/check/*`: register, deregister, TTL pass/warn/fail/update and expiry, HTTP and TCP checks.</summary>
public sealed class AgentCheckApiTests : CatalogFixture
{
    [Fact]
    public async Task A_node_check_registers_with_its_name_as_id_and_deregisters()
    {
        await PutOkAsync("/v1/agent/check/register", """{"Name":"mem","TTL":"30s","Notes":"memory"}""");

        var check = (await GetJsonAsync("/v1/agent/checks")).GetProperty("mem");
        Assert.Equal(Self, check.GetProperty("Node").GetString());
        Assert.Equal("mem", check.GetProperty("CheckID").GetString());
        Assert.Equal("mem", check.GetProperty("Name").GetString());
        Assert.Equal("critical", check.GetProperty("Status").GetString());
        Assert.Equal("memory", check.GetProperty("Notes").GetString());
        Assert.Equal("", check.GetProperty("ServiceID").GetString());
        Assert.Equal("ttl", check.GetProperty("Type").GetString());
        await WaitForCheckAsync("mem", "critical");

        await PutOkAsync("/v1/agent/check/deregister/mem");
        Assert.False((await GetJsonAsync("/v1/agent/checks")).TryGetProperty("mem", out _));
        await WaitForAsync($"/v1/health/node/{Self}", c => CheckIn(c, "mem") is null);
        await PutRefusedAsync("/v1/agent/check/deregister/mem", "", HttpStatusCode.NotFound, "Unknown check ID \"mem\"");
    }

    [Fact]
    public async Task A_check_with_an_id_and_a_service_is_bound_to_that_service()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"web","Tags":["t"]}""");
        await PutOkAsync("/v1/agent/check/register", """{"ID":"web-ttl","Name":"Web TTL","ServiceID":"web","TTL":"30s","Status":"warning"}""");

        var check = (await GetJsonAsync("/v1/agent/checks")).GetProperty("web-ttl");
        Assert.Equal("Web TTL", check.GetProperty("Name").GetString());
        Assert.Equal("web", check.GetProperty("ServiceID").GetString());
        Assert.Equal("web", check.GetProperty("ServiceName").GetString());
        Assert.Equal("warning", check.GetProperty("Status").GetString());
        var catalog = await WaitForAsync("/v1/health/checks/web", c => c.GetArrayLength() == 1);
        Assert.Equal("warning", catalog[0].GetProperty("Status").GetString());
        Assert.Equal(["t"], Strings(catalog[0].GetProperty("ServiceTags")));
    }

    [Theory]
    [InlineData("not json", "Request decode failed")]
    [InlineData("""{"TTL":"10s"}""", "name")]
    [InlineData("""{"Name":"c"}""", "one of")]
    [InlineData("""{"Name":"c","TTL":10}""", "TTL")]
    [InlineData("""{"Name":"c","TCP":"127.0.0.1:1"}""", "interval: required")]
    [InlineData("""{"Name":"c","HTTP":"not a url","Interval":"10s"}""", "HTTP")]
    [InlineData("""{"Name":"c","TTL":"10s","Status":"fine"}""", "Status")]
    [InlineData("""{"Name":"c","TTL":"10s","ServiceID":"missing"}""", "ServiceID \"missing\" does not exist")]
    public async Task A_bad_check_definition_is_400_and_registers_nothing(string body, string reason)
    {
        await PutRefusedAsync("/v1/agent/check/register", body, HttpStatusCode.BadRequest, reason);
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/checks")));
        var checks = await GetJsonAsync($"/v1/health/node/{Self}");
        Assert.Equal(["serfHealth"], [.. checks.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()!)]);
    }

    [Fact]
    public async Task Ttl_pass_warn_and_fail_set_the_status_and_the_note_as_output()
    {
        await PutOkAsync("/v1/agent/check/register", """{"Name":"ttl","TTL":"60s"}""");

        await PutOkAsync("/v1/agent/check/pass/ttl?note=all%20good");
        var check = (await GetJsonAsync("/v1/agent/checks")).GetProperty("ttl");
        Assert.Equal("passing", check.GetProperty("Status").GetString());
        Assert.Equal("all good", check.GetProperty("Output").GetString());
        var synced = await WaitForCheckAsync("ttl", "passing");
        Assert.Equal("all good", CheckIn(synced, "ttl")!.Value.GetProperty("Output").GetString());

        await PutOkAsync("/v1/agent/check/warn/ttl?note=hmm");
        Assert.Equal("warning", (await GetJsonAsync("/v1/agent/checks")).GetProperty("ttl").GetProperty("Status").GetString());
        await WaitForCheckAsync("ttl", "warning");

        await PutOkAsync("/v1/agent/check/fail/ttl");
        check = (await GetJsonAsync("/v1/agent/checks")).GetProperty("ttl");
        Assert.Equal("critical", check.GetProperty("Status").GetString());
        Assert.Equal("", check.GetProperty("Output").GetString());
        await WaitForCheckAsync("ttl", "critical");

        await PutRefusedAsync("/v1/agent/check/pass/nope", "", HttpStatusCode.NotFound, "Unknown check ID \"nope\"");
    }

    [Fact]
    public async Task Check_update_takes_status_and_output_from_the_body()
    {
        await PutOkAsync("/v1/agent/check/register", """{"Name":"upd","TTL":"60s"}""");

        await PutOkAsync("/v1/agent/check/update/upd", """{"Status":"warning","Output":"disk 91%"}""");
        var check = (await GetJsonAsync("/v1/agent/checks")).GetProperty("upd");
        Assert.Equal("warning", check.GetProperty("Status").GetString());
        Assert.Equal("disk 91%", check.GetProperty("Output").GetString());
        await WaitForCheckAsync("upd", "warning");

        await PutOkAsync("/v1/agent/check/update/upd", """{"Status":"passing"}""");
        await WaitForCheckAsync("upd", "passing");

        await PutRefusedAsync("/v1/agent/check/update/upd", """{"Status":"sideways","Output":"x"}""", HttpStatusCode.BadRequest, "Invalid check status");
        await PutRefusedAsync("/v1/agent/check/update/upd", """{"Output":"no status"}""", HttpStatusCode.BadRequest, "Invalid check status");
        await PutRefusedAsync("/v1/agent/check/update/upd", """{"Status":1}""", HttpStatusCode.BadRequest, "Status");
        await PutRefusedAsync("/v1/agent/check/update/upd", "{", HttpStatusCode.BadRequest, "Request decode failed");
        await PutRefusedAsync("/v1/agent/check/update/nope", """{"Status":"passing"}""", HttpStatusCode.NotFound, "Unknown check ID \"nope\"");
        Assert.Equal("passing", (await GetJsonAsync("/v1/agent/checks")).GetProperty("upd").GetProperty("Status").GetString());
    }

    [Fact]
    public async Task A_ttl_check_not_updated_in_time_turns_critical()
    {
        await PutOkAsync("/v1/agent/check/register", """{"Name":"short","TTL":"1s","Status":"passing"}""");
        await PutOkAsync("/v1/agent/check/pass/short?note=alive");

        var checks = await WaitForAsync($"/v1/health/node/{Self}",
            c => CheckIn(c, "short") is { } s && s.GetProperty("Status").GetString() == "critical");
        Assert.StartsWith("TTL expired", CheckIn(checks, "short")!.Value.GetProperty("Output").GetString(), StringComparison.Ordinal);
        Assert.Equal("critical", (await GetJsonAsync("/v1/agent/checks")).GetProperty("short").GetProperty("Status").GetString());
    }

    [Fact]
    public async Task Updating_a_check_that_is_not_a_ttl_check_is_500_with_consuls_message()
    {
        await using var tcp = new StubTcpServer();
        await PutOkAsync("/v1/agent/check/register", $$"""{"Name":"tcp1","TCP":"{{tcp.Address}}","Interval":"30s"}""");

        await PutRefusedAsync("/v1/agent/check/pass/tcp1", "", HttpStatusCode.InternalServerError, "CheckID \"tcp1\" does not have associated TTL");
        await PutRefusedAsync("/v1/agent/check/update/tcp1", """{"Status":"passing"}""", HttpStatusCode.InternalServerError, "CheckID \"tcp1\" does not have associated TTL");
    }

    [Fact]
    public async Task An_http_check_passes_warns_on_429_and_goes_critical_when_the_listener_stops()
    {
        await using var server = new StubHttpServer();
        await PutOkAsync("/v1/agent/service/register", $$$"""
            {"Name":"site","Port":{{{server.Port}}},"Check":{"HTTP":"{{{server.Url}}}","Interval":"1s","Timeout":"2s"}}
            """);

        var checks = await WaitForAsync("/v1/health/checks/site", c => HasCheck(c, "service:site", "passing"));
        var check = CheckIn(checks, "service:site")!.Value;
        Assert.Equal("http", check.GetProperty("Type").GetString());
        Assert.Contains($"HTTP GET {server.Url}: 200 OK Output: stub says 200", check.GetProperty("Output").GetString(), StringComparison.Ordinal);
        Assert.Equal(server.Url, check.GetProperty("Definition").GetProperty("HTTP").GetString());
        Assert.Equal("1s", check.GetProperty("Definition").GetProperty("Interval").GetString());

        server.StatusCode = 429;
        await WaitForAsync("/v1/health/checks/site", c => HasCheck(c, "service:site", "warning"));

        server.StatusCode = 503;
        await WaitForAsync("/v1/health/checks/site", c => HasCheck(c, "service:site", "critical"));

        server.StatusCode = 200;
        await WaitForAsync("/v1/health/checks/site", c => HasCheck(c, "service:site", "passing"));
        await server.StopAsync();
        checks = await WaitForAsync("/v1/health/checks/site", c => HasCheck(c, "service:site", "critical"));
        Assert.StartsWith($"Get \"{server.Url}\"", CheckIn(checks, "service:site")!.Value.GetProperty("Output").GetString(), StringComparison.Ordinal);
        await WaitForAsync("/v1/health/service/site?passing", e => e.GetArrayLength() == 0);
    }

    [Fact]
    public async Task A_tcp_check_passes_and_goes_critical_when_the_listener_stops()
    {
        await using var server = new StubTcpServer();
        await PutOkAsync("/v1/agent/check/register", $$"""{"Name":"port","TCP":"{{server.Address}}","Interval":"1s","Timeout":"1s"}""");

        var checks = await WaitForCheckAsync("port", "passing");
        var check = CheckIn(checks, "port")!.Value;
        Assert.Equal($"TCP connect {server.Address}: Success", check.GetProperty("Output").GetString());
        Assert.Equal("tcp", check.GetProperty("Type").GetString());
        Assert.Equal(server.Address, check.GetProperty("Definition").GetProperty("TCP").GetString());

        await server.StopAsync();
        checks = await WaitForCheckAsync("port", "critical");
        Assert.StartsWith($"dial tcp {server.Address}:", CheckIn(checks, "port")!.Value.GetProperty("Output").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>Script checks on an agent with <c>enable_script_checks</c>.</summary>
public sealed class ScriptCheckApiTests : CatalogFixture
{
    protected override AgentConfig Config => base.Config with { EnableScriptChecks = true };

    [Fact]
    public async Task Exit_codes_0_1_and_2_are_passing_warning_and_critical_with_output()
    {
        await PutOkAsync("/v1/agent/service/register", """
            {"Name":"job","Checks":[
              {"CheckID":"ok","Args":["sh","-c","echo fine; exit 0"],"Interval":"1s"},
              {"CheckID":"warn","Args":["sh","-c","echo meh; exit 1"],"Interval":"1s"},
              {"CheckID":"bad","Args":["sh","-c","echo broken; exit 2"],"Interval":"1s"}]}
            """);

        var checks = await WaitForAsync("/v1/health/checks/job", c =>
            HasCheck(c, "ok", "passing") && HasCheck(c, "warn", "warning")
            && CheckIn(c, "bad") is { } bad && bad.GetProperty("Output").GetString()!.Contains("broken", StringComparison.Ordinal));
        Assert.Equal("critical", CheckIn(checks, "bad")!.Value.GetProperty("Status").GetString());
        Assert.Contains("fine", CheckIn(checks, "ok")!.Value.GetProperty("Output").GetString(), StringComparison.Ordinal);
        Assert.Contains("meh", CheckIn(checks, "warn")!.Value.GetProperty("Output").GetString(), StringComparison.Ordinal);
        Assert.Equal("script", CheckIn(checks, "ok")!.Value.GetProperty("Type").GetString());
        Assert.Empty((await GetJsonAsync("/v1/health/service/job?passing")).EnumerateArray());
    }

    [Fact]
    public async Task A_standalone_script_check_in_the_old_script_form_runs_through_the_shell()
    {
        await PutOkAsync("/v1/agent/check/register", """{"Name":"legacy","Script":"echo legacy && exit 1","Interval":"1s"}""");

        var checks = await WaitForCheckAsync("legacy", "warning");
        Assert.Contains("legacy", CheckIn(checks, "legacy")!.Value.GetProperty("Output").GetString(), StringComparison.Ordinal);
    }
}
