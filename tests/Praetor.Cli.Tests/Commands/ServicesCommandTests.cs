using Praetor.Agent;
using Praetor.Api;
using Praetor.Cli.Tests.Config;
using Praetor.Client;

namespace Praetor.Cli.Tests.Commands;

public sealed class ServicesCommandTests : CliAgentFixture, IDisposable
{
    // Seed 001's service definition, as its author wrote it (the old "script" check form).
    private const string SeedDb = """
        { "service": { "name": "db", "tags": ["master"], "port": 3306, "check": { "script": "/usr/local/bin/check_mysql_master", "interval": "10s" } } }
        """;

    private readonly TempConfigDir _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Register_with_flags_registers_the_service_with_the_local_agent()
    {
        var run = await RunAsync("services", "register", "-name=web", "-id=web-1", "-port=8080", "-address=10.0.0.5",
            "-tag=v1", "-tag", "blue", "-meta", "owner=ops", "-meta=tier=front");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Registered service: web\n", run.Stdout);
        Assert.Equal(string.Empty, run.Stderr);
        var service = await Client.Agent.ServiceAsync("web-1");
        Assert.NotNull(service);
        Assert.Equal("web", service.Service);
        Assert.Equal(8080, service.Port);
        Assert.Equal("10.0.0.5", service.Address);
        Assert.Equal(["v1", "blue"], service.Tags!);
        Assert.Equal("ops", service.Meta!["owner"]);
        Assert.Equal("front", service.Meta!["tier"]);
    }

    [Fact]
    public async Task Register_with_only_a_name_uses_it_as_the_id()
    {
        var run = await RunAsync("services", "register", "-name=redis");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Registered service: redis\n", run.Stdout);
        Assert.NotNull(await Client.Agent.ServiceAsync("redis"));
    }

    [Fact]
    public async Task Register_from_a_file_with_a_service_key()
    {
        var file = _files.Write("web.json", """{"service": {"name": "web", "id": "web1", "port": 80, "tags": ["a"], "meta": {"m": "1"}}}""");
        var run = await RunAsync("services", "register", file);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Registered service: web\n", run.Stdout);
        var service = await Client.Agent.ServiceAsync("web1");
        Assert.Equal(80, service!.Port);
        Assert.Equal(["a"], service.Tags!);
    }

    [Fact]
    public async Task Register_from_a_file_with_a_services_list_registers_each_in_order()
    {
        var file = _files.Write("many.json", """{"services": [{"name": "a", "port": 1}, {"Name": "b", "ID": "b-1", "Port": 2}]}""");
        var run = await RunAsync("services", "register", file);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Registered service: a\nRegistered service: b\n", run.Stdout);
        var services = await Client.Agent.ServicesAsync();
        Assert.Contains("a", services.Keys);
        Assert.Contains("b-1", services.Keys);
    }

    [Fact]
    public async Task Register_from_several_files()
    {
        var a = _files.Write("a.json", """{"service": {"name": "a"}}""");
        var b = _files.Write("b.json", """{"service": {"name": "b"}}""");
        var run = await RunAsync("services", "register", a, b);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Registered service: a\nRegistered service: b\n", run.Stdout);
    }

    [Fact]
    public async Task Flags_fill_what_a_file_leaves_out_and_add_tags_and_meta()
    {
        var file = _files.Write("web.json", """{"service": {"name": "web", "port": 80, "tags": ["file"], "meta": {"a": "file", "b": "file"}}}""");
        var run = await RunAsync("services", "register", "-id=web-9", "-port=99", "-address=10.1.1.1", "-tag=flag", "-meta=b=flag", file);
        Assert.Equal(0, run.ExitCode);
        var service = await Client.Agent.ServiceAsync("web-9");
        Assert.NotNull(service);
        Assert.Equal(80, service.Port);
        Assert.Equal("10.1.1.1", service.Address);
        Assert.Equal(["file", "flag"], service.Tags!);
        Assert.Equal("file", service.Meta!["a"]);
        Assert.Equal("flag", service.Meta!["b"]);
    }

    [Fact]
    public async Task Seed_service_file_with_a_script_check_is_refused_when_script_checks_are_off()
    {
        var file = _files.Write("db.json", SeedDb);
        var run = await RunAsync("services", "register", file);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.StartsWith("Error registering service \"db\": Unexpected response code: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("enable_script_checks", run.Stderr, StringComparison.Ordinal);
        Assert.Null(await Client.Agent.ServiceAsync("db"));
    }

    [Fact]
    public async Task Invalid_definition_shows_the_agents_reason()
    {
        var file = _files.Write("bad.json", """{"service": {"name": "web", "port": 70000}}""");
        var run = await RunAsync("services", "register", file);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error registering service \"web\": Unexpected response code: 400 (", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("port", run.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Register_needs_a_file_or_a_name()
    {
        var run = await RunAsync("services", "register", "-port=80");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Service registration requires at least one argument or flags.\n", run.Stderr);
    }

    [Fact]
    public async Task Register_refuses_both_a_file_and_a_name()
    {
        var file = _files.Write("web.json", """{"service": {"name": "web"}}""");
        var run = await RunAsync("services", "register", "-name=web", file);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Service registration requires arguments or -id, not both.\n", run.Stderr);
    }

    [Fact]
    public async Task Register_reports_a_missing_file()
    {
        var missing = Path.Combine(_files.Path, "nope.json");
        var run = await RunAsync("services", "register", missing);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"Error: cannot read {missing}: no such file or directory\n", run.Stderr);
    }

    [Fact]
    public async Task Register_reports_invalid_json_naming_the_file()
    {
        var file = _files.Write("broken.json", """{"service": {"name": "web",}}""");
        var run = await RunAsync("services", "register", file);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"Error: {file}: invalid JSON: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_reports_a_file_without_services()
    {
        var file = _files.Write("empty.json", """{"datacenter": "dc1"}""");
        var run = await RunAsync("services", "register", file);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"Error: {file}: no service definition (a \"service\" or \"services\" key)\n", run.Stderr);
    }

    [Fact]
    public async Task Register_reports_a_bad_meta_flag()
    {
        var run = await RunAsync("services", "register", "-name=web", "-meta=novalue");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("invalid value \"novalue\" for flag -meta: Missing \"=\" value in argument: novalue\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_against_a_closed_port_fails_naming_the_address()
    {
        var port = ClosedPort();
        var run = await RunAsync("services", "register", "-name=web", $"-http-addr=127.0.0.1:{port}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Error registering service \"web\": Put \"http://127.0.0.1:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("connection refused", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deregister_by_id()
    {
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Name = "web", Id = "web-1" });
        var run = await RunAsync("services", "deregister", "-id=web-1");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Deregistered service: web-1\n", run.Stdout);
        Assert.Null(await Client.Agent.ServiceAsync("web-1"));
    }

    [Fact]
    public async Task Deregister_from_a_file_uses_the_id_or_else_the_name()
    {
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Name = "a" });
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Name = "b", Id = "b-1" });
        var file = _files.Write("both.json", """{"services": [{"name": "a"}, {"name": "b", "id": "b-1"}]}""");
        var run = await RunAsync("services", "deregister", file);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Deregistered service: a\nDeregistered service: b-1\n", run.Stdout);
        var services = await Client.Agent.ServicesAsync();
        Assert.DoesNotContain("a", services.Keys);
        Assert.DoesNotContain("b-1", services.Keys);
    }

    [Fact]
    public async Task Deregister_of_an_unknown_id_fails_with_the_agents_reason()
    {
        var run = await RunAsync("services", "deregister", "-id=ghost");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error deregistering service \"ghost\": Unexpected response code: 404 (", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("ghost", run.Stderr[40..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deregister_needs_an_id_or_a_file_but_not_both()
    {
        var none = await RunAsync("services", "deregister");
        Assert.Equal(1, none.ExitCode);
        Assert.Equal("Service deregistration requires at least one argument or -id.\n", none.Stderr);
        var both = await RunAsync("services", "deregister", "-id=x", "file.json");
        Assert.Equal(1, both.ExitCode);
        Assert.Equal("Service deregistration requires arguments or -id, not both.\n", both.Stderr);
    }

    [Fact]
    public async Task Services_without_a_subcommand_prints_usage_and_fails()
    {
        var run = await RunAsync("services");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Usage: praetor services <subcommand>", run.Stderr, StringComparison.Ordinal);
        var unknown = await RunAsync("services", "list");
        Assert.Equal(1, unknown.ExitCode);
        Assert.StartsWith("Unknown subcommand: services list\n", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_help_lists_the_flags()
    {
        var run = await RunAsync("services", "register", "-h");
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Usage: praetor services register [options] [FILE...]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("-http-addr", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("-tag=<value>", run.Stdout, StringComparison.Ordinal);
    }
}

/// <summary>Seed 001's file against an agent that allows script checks (enable_script_checks).</summary>
public sealed class ServicesRegisterScriptCheckTests : IAsyncLifetime, IDisposable
{
    private readonly TempConfigDir _files = new();
    private AgentHost? _host;

    public async Task InitializeAsync() =>
        _host = await AgentHost.StartAsync(new AgentConfig { DevMode = true, Server = true, HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = AgentConfig.PortDisabled, SerfWanPort = AgentConfig.PortDisabled, NodeName = "cli-script", EnableScriptChecks = true });

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Seed_service_file_registers_the_service_and_its_script_check()
    {
        var file = _files.Write("db.json", """
            { "service": { "name": "db", "tags": ["master"], "port": 3306, "check": { "script": "/usr/local/bin/check_mysql_master", "interval": "10s" } } }
            """);
        var environment = new Dictionary<string, string> { ["CONSUL_HTTP_ADDR"] = _host!.HttpAddress.Authority };
        var run = await CliRun.RunAsync(environment, string.Empty, "services", "register", file);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Registered service: db\n", run.Stdout);
        using var client = new PraetorClient(new PraetorClientConfig { Address = _host.HttpAddress.Authority });
        var service = await client.Agent.ServiceAsync("db");
        Assert.Equal(3306, service!.Port);
        Assert.Equal(["master"], service.Tags!);
        var checks = await client.Agent.ChecksAsync();
        Assert.Contains(checks.Values, c => c.ServiceId == "db");
    }
}
