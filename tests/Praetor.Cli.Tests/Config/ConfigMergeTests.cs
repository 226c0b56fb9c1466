using Praetor.Agent;
using Praetor.Agent.Config;

namespace Praetor.Cli.Tests.Config;

public sealed class ConfigMergeTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ConfigLoadResult LoadValid(params string[] paths)
    {
        var result = ConfigLoader.Load(paths);
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        return result;
    }

    [Fact]
    public void Later_files_override_scalars_and_earlier_values_stay_when_not_repeated()
    {
        var first = _dir.Write("a.json", """{ "datacenter": "one", "node_name": "n1", "log_level": "warn" }""");
        var second = _dir.Write("b.json", """{ "datacenter": "two", "server": true }""");

        var config = LoadValid(first, second).Config;

        Assert.Equal("two", config.Datacenter);
        Assert.Equal("n1", config.NodeName);
        Assert.Equal("warn", config.LogLevel);
        Assert.True(config.Server);
    }

    [Fact]
    public void Services_checks_and_lists_append_across_files()
    {
        var first = _dir.Write("a.json", """{ "service": { "name": "web" }, "checks": [ { "name": "c1", "ttl": "10s" } ], "recursors": ["8.8.8.8"], "retry_join": ["a"] }""");
        var second = _dir.Write("b.json", """{ "services": [ { "name": "db" }, { "name": "cache" } ], "check": { "name": "c2", "ttl": "5s" }, "recursors": ["1.1.1.1"], "retry_join": ["b"] }""");

        var config = LoadValid(first, second).Config;

        Assert.Equal(["web", "db", "cache"], config.Services.Select(s => s.Name));
        Assert.Equal(["c1", "c2"], config.Checks.Select(c => c.Name));
        Assert.Equal(["8.8.8.8", "1.1.1.1"], config.Recursors);
        Assert.Equal(["a", "b"], config.RetryJoin);
    }

    [Fact]
    public void Maps_merge_key_by_key()
    {
        var first = _dir.Write("a.json", """{ "ports": { "http": 1111, "dns": 2222 }, "node_meta": { "rack": "r1", "zone": "z1" }, "dns_config": { "only_passing": true }, "acl": { "tokens": { "agent": "a" } } }""");
        var second = _dir.Write("b.json", """{ "ports": { "dns": 3333 }, "node_meta": { "zone": "z2" }, "dns_config": { "node_ttl": "5s" }, "acl": { "tokens": { "default": "d" } } }""");

        var config = LoadValid(first, second).Config;

        Assert.Equal(1111, config.HttpPort);
        Assert.Equal(3333, config.DnsPort);
        Assert.Equal("r1", config.NodeMeta["rack"]);
        Assert.Equal("z2", config.NodeMeta["zone"]);
        Assert.True(config.Dns.OnlyPassing);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Dns.NodeTtl);
        Assert.Equal("a", config.Acl.Tokens["agent"]);
        Assert.Equal("d", config.Acl.Tokens["default"]);
    }

    [Fact]
    public void A_directory_contributes_its_json_files_in_lexical_order_and_skips_other_extensions()
    {
        var dir = _dir.Dir("conf.d");
        _dir.Write("conf.d/20-b.json", """{ "datacenter": "b", "service": { "name": "second" } }""");
        _dir.Write("conf.d/10-a.json", """{ "datacenter": "a", "service": { "name": "first" } }""");
        _dir.Write("conf.d/30-c.json.bak", """{ "datacenter": "backup" }""");
        _dir.Write("conf.d/README.txt", "not json");
        _dir.Write("conf.d/sub/99.json", """{ "datacenter": "nested" }""");

        var result = LoadValid(dir);

        Assert.Equal("b", result.Config.Datacenter);
        Assert.Equal(["first", "second"], result.Config.Services.Select(s => s.Name));
        Assert.Equal([Path.Combine(dir, "10-a.json"), Path.Combine(dir, "20-b.json")], result.Files);
        Assert.Equal(result.Files, result.Config.ConfigFiles);
    }

    [Fact]
    public void Files_and_directories_apply_in_the_order_given()
    {
        var dir = _dir.Dir("d");
        _dir.Write("d/x.json", """{ "datacenter": "from-dir" }""");
        var file = _dir.Write("f.json", """{ "datacenter": "from-file" }""");

        Assert.Equal("from-file", LoadValid(dir, file).Config.Datacenter);
        Assert.Equal("from-dir", LoadValid(file, dir).Config.Datacenter);
    }

    [Fact]
    public void An_empty_directory_is_no_problem()
    {
        var result = LoadValid(_dir.Dir("empty"));

        Assert.Empty(result.Files);
    }

    [Fact]
    public void Files_apply_over_the_baseline_given()
    {
        var file = _dir.Write("a.json", """{ "node_name": "file-node" }""");

        var result = ConfigLoader.Load([file], new AgentConfig { DevMode = true, UiEnabled = true, BindAddr = "127.0.0.1" });

        Assert.True(result.IsValid);
        Assert.True(result.Config.DevMode);
        Assert.True(result.Config.UiEnabled);
        Assert.Equal("file-node", result.Config.NodeName);
    }

    [Fact]
    public void A_UTF8_byte_order_mark_is_skipped()
    {
        var path = Path.Combine(_dir.Path, "bom.json");
        File.WriteAllText(path, """{ "datacenter": "bom" }""", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Assert.Equal("bom", LoadValid(path).Config.Datacenter);
    }
}
