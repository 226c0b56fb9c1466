using Praetor.Agent.Config;

namespace Praetor.Cli.Tests.Config;

public sealed class ConfigProblemTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<string> Problems(params string[] paths)
    {
        var result = ConfigLoader.Load(paths);
        Assert.False(result.IsValid);
        return [.. result.Problems.Select(p => p.ToString())];
    }

    private List<string> ProblemsOf(string json)
    {
        var file = _dir.Write("web.json", json);
        return Problems(file);
    }

    private string File(string name) => Path.Combine(_dir.Path, name);

    [Fact]
    public void Invalid_duration_names_file_and_key_path()
    {
        var problems = ProblemsOf("""{ "services": [ { "name": "web", "check": { "http": "http://localhost/", "interval": "10x" } } ] }""");

        Assert.Equal([$"{File("web.json")}: services[0].check.interval: invalid duration \"10x\""], problems);
    }

    [Fact]
    public void Invalid_duration_in_a_config_dir_names_the_file_inside_it()
    {
        var dir = _dir.Dir("config");
        _dir.Write("config/web.json", """{ "service": { "name": "web", "check": { "tcp": "localhost:80", "interval": "10x" } } }""");

        var problems = Problems(dir);

        Assert.Equal([$"{Path.Combine(dir, "web.json")}: service.check.interval: invalid duration \"10x\""], problems);
    }

    [Fact]
    public void Unknown_keys_are_named_at_every_level()
    {
        var problems = ProblemsOf("""
            { "datacenterr": "x", "ports": { "htp": 1 }, "dns_config": { "ttl": "1s" }, "limits": { "foo": 1 },
              "services": [ { "name": "web", "chek": {} } ], "check": { "name": "c", "ttl": "1s", "intervall": "1s" } }
            """);

        Assert.Equal(
            [
                $"{File("web.json")}: datacenterr: unknown key",
                $"{File("web.json")}: ports.htp: unknown key",
                $"{File("web.json")}: dns_config.ttl: unknown key",
                $"{File("web.json")}: limits.foo: unknown key",
                $"{File("web.json")}: services[0].chek: unknown key",
                $"{File("web.json")}: check.intervall: unknown key",
            ],
            problems);
    }

    [Fact]
    public void Wrong_types_are_named_with_what_was_expected_and_what_was_given()
    {
        var problems = ProblemsOf("""
            { "server": "yes", "ports": { "dns": "53" }, "recursors": "8.8.8.8", "node_meta": { "rack": 1 },
              "services": [ { "name": "web", "port": "80", "tags": ["a", 2] } ], "bootstrap_expect": 1.5 }
            """);

        Assert.Equal(
            [
                $"{File("web.json")}: server: expected true or false, got string \"yes\"",
                $"{File("web.json")}: ports.dns: expected an integer, got string \"53\"",
                $"{File("web.json")}: recursors: expected an array, got string \"8.8.8.8\"",
                $"{File("web.json")}: node_meta.rack: expected a string, got number 1",
                $"{File("web.json")}: services[0].port: expected an integer, got string \"80\"",
                $"{File("web.json")}: services[0].tags[1]: expected a string, got number 2",
                $"{File("web.json")}: bootstrap_expect: expected an integer, got 1.5",
            ],
            problems);
    }

    [Fact]
    public void Bad_dns_config_values_are_named()
    {
        var problems = ProblemsOf("""{ "dns_config": { "recursor_strategy": "fastest", "soa": { "refresh": -1, "serial": 3 } } }""");

        Assert.Contains($"{File("web.json")}: dns_config.recursor_strategy: \"fastest\" is not sequential or random", problems);
        Assert.Contains(problems, p => p.StartsWith($"{File("web.json")}: dns_config.soa.refresh:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"{File("web.json")}: dns_config.soa.serial:", StringComparison.Ordinal));
    }

    [Fact]
    public void Out_of_range_ports_are_problems()
    {
        var problems = ProblemsOf("""{ "ports": { "http": 70000 }, "service": { "name": "web", "port": -1 } }""");

        Assert.Equal(
            [
                $"{File("web.json")}: ports.http: 70000 is out of range (0-65535, or -1 to disable)",
                $"{File("web.json")}: service.port: -1 is out of range (0-65535)",
            ],
            problems);
    }

    [Fact]
    public void Malformed_json_names_the_file_and_the_position()
    {
        var problem = Assert.Single(ProblemsOf("{\n  \"datacenter\": \"dc1\",\n}"));

        Assert.StartsWith($"{File("web.json")}: invalid JSON at line 3, column 1: ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_top_level_that_is_not_an_object_is_a_problem()
    {
        Assert.Equal([$"{File("web.json")}: a config file must hold one JSON object, got an array"], ProblemsOf("[]"));
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var missing = File("nope.json");

        Assert.Equal([$"{missing}: no such file or directory"], Problems(missing));
    }

    [Fact]
    public void An_unreadable_file_is_named()
    {
        var dir = _dir.Dir("d");
        var dangling = Path.Combine(dir, "broken.json");
        System.IO.File.CreateSymbolicLink(dangling, Path.Combine(_dir.Path, "gone.json"));

        var problem = Assert.Single(Problems(dir));

        Assert.StartsWith($"{dangling}: cannot read the file: ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Hcl_files_are_refused_as_not_supported_yet()
    {
        var dir = _dir.Dir("d");
        _dir.Write("d/agent.hcl", "datacenter = \"dc1\"");
        _dir.Write("d/ok.json", "{}");
        var explicitHcl = _dir.Write("other.hcl", "server = true");

        var problems = Problems(dir, explicitHcl);

        Assert.Equal(2, problems.Count);
        Assert.Equal($"{Path.Combine(dir, "agent.hcl")}: HCL config files are not supported yet; write the configuration as JSON (a .json file)", problems[0]);
        Assert.StartsWith($"{explicitHcl}: HCL config files are not supported yet", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_in_every_file_is_reported()
    {
        var first = _dir.Write("a.json", """{ "bogus": 1, "server": 1 }""");
        var second = _dir.Write("b.json", "{ not json");
        var third = _dir.Write("c.json", """{ "default_query_time": "soon", "service": { "port": 80 } }""");

        var problems = Problems(first, second, third, File("d.json"));

        Assert.Equal(6, problems.Count);
        Assert.Equal($"{first}: bogus: unknown key", problems[0]);
        Assert.Equal($"{first}: server: expected true or false, got number 1", problems[1]);
        Assert.StartsWith($"{second}: invalid JSON at line 1", problems[2], StringComparison.Ordinal);
        Assert.Equal($"{third}: default_query_time: invalid duration \"soon\"", problems[3]);
        Assert.Equal($"{third}: service.name: required", problems[4]);
        Assert.Equal($"{File("d.json")}: no such file or directory", problems[5]);
    }

    [Theory]
    [InlineData("""{ "name": "c" }""", "check: a check needs one of script (or args), http, tcp, ttl or alias_service")]
    [InlineData("""{ "name": "c", "http": "http://x/", "tcp": "x:1", "interval": "1s" }""", "check: a check takes only one of script (or args), http, tcp, ttl or alias_service; got http and tcp")]
    [InlineData("""{ "name": "c", "script": "x", "args": ["y"], "interval": "1s" }""", "check: give either script or args, not both")]
    [InlineData("""{ "name": "c", "script": "/bin/check" }""", "check.interval: required for a script check (a duration such as \"10s\")")]
    [InlineData("""{ "name": "c", "http": "http://x/" }""", "check.interval: required for a http check (a duration such as \"10s\")")]
    [InlineData("""{ "name": "c", "tcp": "x:1" }""", "check.interval: required for a tcp check (a duration such as \"10s\")")]
    [InlineData("""{ "ttl": "10s" }""", "check.name: required")]
    [InlineData("""{ "name": "c", "ttl": "10s", "status": "ok" }""", "check.status: \"ok\" is not passing, warning or critical")]
    [InlineData("""{ "name": "c", "ttl": "-1s" }""", "check.ttl: duration \"-1s\" must not be negative")]
    [InlineData("""{ "name": "c", "ttl": 10 }""", "check.ttl: expected a duration string such as \"10s\", got number 10")]
    [InlineData("""{ "name": "c", "http": "http://x/", "interval": "1s", "header": { "A": "b" } }""", "check.header.A: expected an array, got string \"b\"")]
    public void Check_definition_rules_are_Consuls(string check, string expected)
    {
        var problems = ProblemsOf($$"""{ "check": {{check}} }""");

        Assert.Equal([$"{File("web.json")}: {expected}"], problems);
    }

    [Theory]
    [InlineData("""{ "encrypt": "not-base64!" }""", "encrypt: not a base64 key (use `praetor keygen`)")]
    [InlineData("""{ "encrypt": "c2hvcnQ=" }""", "encrypt: the key is 5 bytes; it must be 16, 24 or 32 bytes, base64-encoded")]
    [InlineData("""{ "node_id": "node-1" }""", "node_id: \"node-1\" is not a UUID")]
    [InlineData("""{ "log_level": "loud" }""", "log_level: \"loud\" is not one of trace, debug, info, warn, error")]
    [InlineData("""{ "client_addr": "localhost" }""", "client_addr: \"localhost\" is not an IP address")]
    [InlineData("""{ "segments": [ { "name": "alpha" } ] }""", "segments: network segments are a Consul Enterprise feature and are not supported")]
    [InlineData("""{ "acl": { "default_policy": "maybe" } }""", "acl.default_policy: \"maybe\" is not allow or deny")]
    [InlineData("""{ "node_meta": { "consul-x": "y" } }""", "node_meta.consul-x: the consul- prefix is reserved for internal use")]
    [InlineData("""{ "performance": { "raft_multiplier": 11 } }""", "performance.raft_multiplier: 11 is out of range (1-10, or 0 for the default 5)")]
    [InlineData("""{ "autopilot": { "server_stabilization_time": "-1s" } }""", "autopilot.server_stabilization_time: duration \"-1s\" must not be negative")]
    [InlineData("""{ "autopilot": { "max_trailing_logs": 250 } }""", "autopilot.max_trailing_logs: unknown key")]
    [InlineData("""{ "watches": [ "key" ] }""", "watches[0]: expected an object, got string \"key\"")]
    [InlineData("""{ "service": { "name": "w", "weights": { "passing": 0 } } }""", "service.weights.passing: 0 is out of range (1 or more)")]
    [InlineData("""{ "service": { "name": "w", "check": { "ttl": "1s", "bogus": true } } }""", "service.check.bogus: unknown key")]
    public void Top_level_value_rules(string json, string expected)
    {
        Assert.Equal([$"{File("web.json")}: {expected}"], ProblemsOf(json));
    }

    [Theory]
    [InlineData("""{ "type": "key", "args": ["h"] }""", "watches[0].key: Must specify a single key to watch")]
    [InlineData("""{ "args": ["h"] }""", "watches[0].type: Watch type must be specified")]
    [InlineData("""{ "type": "keys", "args": ["h"] }""", "watches[0].type: Unsupported watch type: keys")]
    [InlineData("""{ "type": "service", "args": ["h"] }""", "watches[0].service: Must specify a single service to watch")]
    [InlineData("""{ "type": "service", "service": "web", "passingonly": "yes", "args": ["h"] }""", "watches[0].passingonly: Expecting passingonly to be a boolean")]
    [InlineData("""{ "type": "service", "service": "web", "tag": ["a", 1], "args": ["h"] }""", "watches[0].tag[1]: Index 1 of tag expected to be string")]
    [InlineData("""{ "type": "checks", "service": "web", "state": "critical", "args": ["h"] }""", "watches[0].state: Cannot specify service and state")]
    [InlineData("""{ "type": "key", "key": "k", "prefix": "p", "args": ["h"] }""", "watches[0].prefix: Invalid parameters: [prefix]")]
    [InlineData("""{ "type": "key", "key": "k" }""", "watches[0]: Must define a watch handler")]
    [InlineData("""{ "type": "key", "key": "k", "args": ["h"], "handler": "h" }""", "watches[0]: Only one watch handler allowed")]
    [InlineData("""{ "type": "key", "key": "k", "args": "h" }""", "watches[0].args: Watch args must be a list of strings")]
    [InlineData("""{ "type": "key", "key": "k", "handler": ["h"] }""", "watches[0].handler: Watch handler must be a string")]
    [InlineData("""{ "type": "key", "key": "k", "handler_type": "http" }""", "watches[0]: Handler type 'http' requires 'http_handler_config' to be set")]
    [InlineData("""{ "type": "key", "key": "k", "handler_type": "http", "http_handler_config": { "method": "PUT" } }""", "watches[0].http_handler_config: Requires 'path' to be set")]
    [InlineData("""{ "type": "key", "key": "k", "handler_type": "http", "http_handler_config": { "path": "ftp://x/" } }""", "watches[0].http_handler_config.path: \"ftp://x/\" is not an http or https URL")]
    [InlineData("""{ "type": "key", "key": "k", "handler_type": "http", "http_handler_config": { "path": "http://x/", "timeout": "10x" } }""", "watches[0].http_handler_config.timeout: invalid duration \"10x\"")]
    [InlineData("""{ "type": "key", "key": "k", "handler_type": "http", "http_handler_config": { "path": "http://x/", "method": "PO ST" } }""", "watches[0].http_handler_config.method: \"PO ST\" is not an HTTP method")]
    [InlineData("""{ "type": "key", "key": "k", "handler_type": "pager", "args": ["h"] }""", "watches[0].handler_type: unsupported handler type \"pager\": use \"script\" (with args) or \"http\" (with http_handler_config)")]
    public void Watch_rules_name_the_watch_and_its_key(string watch, string expected)
    {
        Assert.Equal([$"{File("web.json")}: {expected}"], ProblemsOf($$"""{ "watches": [ {{watch}} ] }"""));
    }

    [Fact]
    public void Watches_of_every_handler_kind_load()
    {
        var file = _dir.Write("web.json", """
            { "watches": [
              { "type": "service", "service": "master.db", "tag": "primary", "passingonly": true, "args": ["/bin/failover", "-now"] },
              { "type": "checks", "handler": "echo checks" },
              { "type": "keyprefix", "prefix": "app/", "handler_type": "http",
                "http_handler_config": { "path": "https://hooks.example/watch", "method": "put", "header": { "x-key": ["a", "b"] }, "timeout": "3s", "tls_skip_verify": true } }
            ] }
            """);
        var result = ConfigLoader.Load([file]);

        Assert.Empty(result.Problems);
        var watches = result.Config.Watches;
        Assert.Equal(3, watches.Count);
        Assert.Equal(("service", "master.db", true), (watches[0].Plan.Type, watches[0].Plan.Service, watches[0].Plan.PassingOnly));
        Assert.Equal(["primary"], watches[0].Plan.Tags);
        Assert.Equal(["/bin/failover", "-now"], watches[0].Args);
        Assert.Equal("any", watches[1].Plan.State);
        Assert.Equal("echo checks", watches[1].Handler);
        var http = watches[2].Http!;
        Assert.Equal(("https://hooks.example/watch", "PUT", TimeSpan.FromSeconds(3), true), (http.Path, http.Method, http.Timeout, http.TlsSkipVerify));
        Assert.Equal(["a", "b"], http.Header["X-Key"]);
        Assert.Equal("app/", watches[2].Plan.Prefix);
    }
}
