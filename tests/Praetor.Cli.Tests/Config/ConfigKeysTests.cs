using Praetor.Agent;
using Praetor.Agent.Config;
using Praetor.Agent.Definitions;

namespace Praetor.Cli.Tests.Config;

public sealed class ConfigKeysTests
{
    private static AgentConfig Load(string json)
    {
        var result = ConfigLoader.LoadJson("test.json", json);
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        return result.Config;
    }

    [Fact]
    public void Every_supported_top_level_key_parses_into_its_setting()
    {
        var config = Load("""
            {
              "datacenter": "East-1",
              "data_dir": "/var/lib/praetor",
              "node_name": "web-1",
              "node_id": "ADF4238A-882B-9DDC-4A9D-5B6758E4159E",
              "node_meta": { "rack": "r1", "instance_type": "t2" },
              "server": true,
              "bootstrap": false,
              "bootstrap_expect": 3,
              "client_addr": "0.0.0.0",
              "bind_addr": "10.0.0.5",
              "advertise_addr": "192.168.1.5",
              "log_level": "DEBUG",
              "ports": { "http": 8501, "dns": 53, "serf_lan": 9301, "serf_wan": -1, "server": 9300, "https": 8443, "grpc": 8502, "grpc_tls": 8503 },
              "addresses": { "http": "127.0.0.2", "dns": "127.0.0.3" },
              "recursors": ["8.8.8.8", "1.1.1.1"],
              "domain": "example",
              "alt_domain": "alt.example.",
              "dns_config": {
                "node_ttl": "10s", "service_ttl": { "*": "5s", "web": "30s" }, "allow_stale": false,
                "max_stale": "1m", "only_passing": true, "udp_answer_limit": 5, "enable_truncate": true,
                "recursor_timeout": "3s", "a_record_limit": 4
              },
              "enable_script_checks": true,
              "enable_local_script_checks": true,
              "disable_remote_exec": false,
              "ui": true,
              "limits": { "kv_max_value_size": 1048576, "txn_max_req_len": 2097152 },
              "default_query_time": "30s",
              "max_query_time": "2m",
              "encrypt": "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=",
              "retry_join": ["10.0.0.1"],
              "start_join": ["10.0.0.2"],
              "rejoin_after_leave": true,
              "leave_on_terminate": true,
              "skip_leave_on_interrupt": false,
              "disable_update_check": true,
              "segments": null,
              "watches": [ { "type": "key", "key": "foo/bar", "args": ["/bin/handler"] } ],
              "performance": { "raft_multiplier": 1 },
              "autopilot": { "server_stabilization_time": "2s" },
              "acl": { "enabled": true, "default_policy": "deny", "down_policy": "extend-cache", "tokens": { "agent": "secret" } }
            }
            """);

        Assert.Equal("east-1", config.Datacenter);
        Assert.Equal("/var/lib/praetor", config.DataDir);
        Assert.Equal("web-1", config.NodeName);
        Assert.Equal("adf4238a-882b-9ddc-4a9d-5b6758e4159e", config.NodeId);
        Assert.Equal("r1", config.NodeMeta["rack"]);
        Assert.Equal("t2", config.NodeMeta["instance_type"]);
        Assert.True(config.Server);
        Assert.False(config.Bootstrap);
        Assert.Equal(3, config.BootstrapExpect);
        Assert.Equal("0.0.0.0", config.ClientAddr);
        Assert.Equal("10.0.0.5", config.BindAddr);
        Assert.Equal("192.168.1.5", config.AdvertiseAddr);
        Assert.Equal("debug", config.LogLevel);
        Assert.Equal((8501, 53, 9301, -1, 9300, 8443, 8502), (config.HttpPort, config.DnsPort, config.SerfLanPort, config.SerfWanPort, config.ServerPort, config.HttpsPort, config.GrpcPort));
        Assert.Equal("127.0.0.2", config.HttpAddr);
        Assert.Equal("127.0.0.3", config.DnsAddr);
        Assert.Equal(["8.8.8.8", "1.1.1.1"], config.Recursors);
        Assert.Equal("example.", config.Domain);
        Assert.Equal("alt.example.", config.AltDomain);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Dns.NodeTtl);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Dns.ServiceTtl["*"]);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Dns.ServiceTtl["web"]);
        Assert.False(config.Dns.AllowStale);
        Assert.Equal(TimeSpan.FromMinutes(1), config.Dns.MaxStale);
        Assert.True(config.Dns.OnlyPassing);
        Assert.Equal(5, config.Dns.UdpAnswerLimit);
        Assert.True(config.Dns.EnableTruncate);
        Assert.Equal(TimeSpan.FromSeconds(3), config.Dns.RecursorTimeout);
        Assert.Equal(4, config.Dns.ARecordLimit);
        Assert.True(config.EnableScriptChecks);
        Assert.True(config.EnableLocalScriptChecks);
        Assert.False(config.DisableRemoteExec);
        Assert.True(config.UiEnabled);
        Assert.Equal(1048576, config.KvMaxValueSizeBytes);
        Assert.Equal(2097152, config.TxnMaxRequestBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), config.DefaultQueryTime);
        Assert.Equal(TimeSpan.FromMinutes(2), config.MaxQueryTime);
        Assert.Equal("pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=", config.Encrypt);
        Assert.Equal(["10.0.0.1"], config.RetryJoin);
        Assert.Equal(["10.0.0.2"], config.StartJoin);
        Assert.True(config.RejoinAfterLeave);
        Assert.True(config.EffectiveLeaveOnTerminate);
        Assert.False(config.EffectiveSkipLeaveOnInterrupt);
        Assert.True(config.DisableUpdateCheck);
        var watch = Assert.Single(config.Watches);
        Assert.Equal("key", watch.Plan.Type);
        Assert.Equal("foo/bar", watch.Plan.Key);
        Assert.Equal(["/bin/handler"], watch.Args);
        Assert.Equal(1, config.RaftMultiplier);
        Assert.Equal(TimeSpan.FromSeconds(2), config.ServerStabilizationTime);
        Assert.True(config.Acl.Enabled);
        Assert.Equal("deny", config.Acl.DefaultPolicy);
        Assert.Equal("secret", config.Acl.Tokens["agent"]);
        Assert.Equal("extend-cache", config.Acl.Other["down_policy"].GetString());
        Assert.Empty(config.ValidateSettings());
    }

    [Fact]
    public void Defaults_are_Consuls()
    {
        var config = Load("{}");

        Assert.Equal("dc1", config.Datacenter);
        Assert.Equal((8500, 8600, 8301, 8302, 8300, -1, -1), (config.HttpPort, config.DnsPort, config.SerfLanPort, config.SerfWanPort, config.ServerPort, config.HttpsPort, config.GrpcPort));
        Assert.Equal("consul.", config.Domain);
        Assert.True(config.DisableRemoteExec);
        Assert.False(config.EnableScriptChecks);
        Assert.False(config.EnableLocalScriptChecks);
        Assert.False(config.UiEnabled);
        Assert.Equal(0, config.BootstrapExpect);
        Assert.Empty(config.Recursors);
        Assert.Empty(config.Services);
        Assert.Empty(config.Checks);
        Assert.Equal(5, config.RaftMultiplier);
        Assert.Equal(TimeSpan.FromSeconds(10), config.ServerStabilizationTime);
        Assert.True(config.Dns.AllowStale);
        Assert.Equal(3, config.Dns.UdpAnswerLimit);
        Assert.Equal("allow", config.Acl.DefaultPolicy);
        Assert.Equal(512 * 1024, config.KvMaxValueSizeBytes);
    }

    [Fact]
    public void Ui_config_enabled_turns_the_ui_on()
    {
        Assert.True(Load("""{ "ui_config": { "enabled": true } }""").UiEnabled);
    }

    [Fact]
    public void Dns_config_answer_keys_are_typed()
    {
        var config = Load("""
            {
              "dns_config": {
                "recursor_strategy": "random", "enable_additional_node_meta_txt": false, "disable_compression": true,
                "soa": { "refresh": 10, "retry": 20, "expire": 30, "min_ttl": 40 }, "use_cache": true
              }
            }
            """);

        Assert.True(config.Dns.RandomRecursors);
        Assert.False(config.Dns.NodeMetaTxt);
        Assert.True(config.Dns.DisableCompression);
        Assert.Equal(new DnsSoaSettings { Refresh = 10, Retry = 20, Expire = 30, MinTtl = 40 }, config.Dns.Soa);
        Assert.True(config.Dns.Other["use_cache"].GetBoolean());
    }

    [Fact]
    public void Dns_config_defaults_are_Consuls()
    {
        var dns = Load("{}").Dns;

        Assert.False(dns.RandomRecursors);
        Assert.True(dns.NodeMetaTxt);
        Assert.Equal(0, dns.ARecordLimit);
        Assert.Equal(new DnsSoaSettings { Refresh = 3600, Retry = 600, Expire = 86400, MinTtl = 0 }, dns.Soa);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("127.0.0.1:5353")]
    [InlineData("::1")]
    [InlineData("[::1]:5353")]
    public void Recursors_are_ip_addresses_with_optional_ports(string recursor)
    {
        Assert.Empty(new AgentConfig { DevMode = true, Recursors = [recursor] }.ValidateSettings());
    }

    [Theory]
    [InlineData("recursors", "dns.example.com", "recursors: \"dns.example.com\" is not an IP address with an optional port (such as 8.8.8.8 or 127.0.0.1:5353)")]
    [InlineData("recursors", "{{ GetPrivateIP }}", "recursors: \"{{ GetPrivateIP }}\" is not an IP address with an optional port (such as 8.8.8.8 or 127.0.0.1:5353)")]
    [InlineData("domain", "bad domain.", "domain: \"bad domain.\" is not a DNS domain name")]
    [InlineData("domain", "a..b.", "domain: \"a..b.\" is not a DNS domain name")]
    [InlineData("alt_domain", "x/y.", "alt_domain: \"x/y.\" is not a DNS domain name")]
    public void Bad_dns_settings_are_named(string key, string value, string expected)
    {
        var config = key switch
        {
            "recursors" => new AgentConfig { DevMode = true, Recursors = [value] },
            "domain" => new AgentConfig { DevMode = true, Domain = value },
            _ => new AgentConfig { DevMode = true, AltDomain = value },
        };

        Assert.Contains(expected, config.ValidateSettings());
    }

    [Fact]
    public void Event_handlers_load_and_bad_specs_are_named()
    {
        var config = Load("""{ "event_handlers": ["member-join=/bin/true", "user:deploy=/usr/local/bin/deploy"] }""");

        Assert.Equal(["member-join=/bin/true", "user:deploy=/usr/local/bin/deploy"], config.EventHandlers);
        Assert.Empty((config with { DevMode = true }).ValidateSettings());
        var bad = new AgentConfig { DevMode = true, EventHandlers = ["member-jump=/bin/true"] };
        Assert.Contains(bad.ValidateSettings(), p => p.StartsWith("event_handlers: ", StringComparison.Ordinal) && p.Contains("member-jump", StringComparison.Ordinal));
    }

    [Fact]
    public void Udp_answer_limit_below_one_is_a_problem()
    {
        var config = new AgentConfig { DevMode = true, Dns = new DnsSettings { UdpAnswerLimit = 0 } };

        Assert.Contains("dns_config.udp_answer_limit: must be at least 1", config.ValidateSettings());
    }

    [Fact]
    public void Seed_001_dns_file_with_the_old_singular_recursor_loads()
    {
        var config = Load("""{ "ports": { "dns": 53 }, "recursor": "8.8.8.8" }""");

        Assert.Equal(53, config.DnsPort);
        Assert.Equal(["8.8.8.8"], config.Recursors);
    }

    [Fact]
    public void Seed_002_server_config_loads_and_validates()
    {
        var config = Load("""
            {
              "datacenter": "dc1",
              "data_dir": "/tmp/consul",
              "server": true,
              "bootstrap_expect": 1
            }
            """);

        Assert.True(config.Server);
        Assert.Equal(1, config.BootstrapExpect);
        Assert.Equal("/tmp/consul", config.DataDir);
        Assert.Empty(config.ValidateSettings());
    }

    [Fact]
    public void Go_test_harness_config_with_null_segments_loads()
    {
        // The shape of Go's sdk/testutil TestServerConfig (consul-api.md 4.3).
        var config = Load("""
            {
              "node_name": "node-1", "node_id": "8f9f3a0e-3a5c-4e0c-9c61-1b8b8e1d8c11",
              "performance": { "raft_multiplier": 1 }, "bootstrap": true, "server": true,
              "data_dir": "/tmp/x", "segments": null, "disable_update_check": true, "log_level": "debug",
              "bind_addr": "127.0.0.1",
              "addresses": { "dns": "127.0.0.1", "http": "127.0.0.1", "https": "127.0.0.1", "grpc": "127.0.0.1" },
              "ports": { "dns": 20000, "http": 20001, "https": 20002, "serf_lan": 20003, "serf_wan": 20004, "server": 20005, "grpc": 20006, "grpc_tls": 20007 },
              "connect": { "enabled": true, "ca_config": { "cluster_id": "11111111-2222-3333-4444-555555555555" } },
              "skip_leave_on_interrupt": true, "peering": { "enabled": true }, "version": "1.22.0"
            }
            """);

        Assert.Equal(20001, config.HttpPort);
        Assert.True(config.EffectiveSkipLeaveOnInterrupt);
    }

    [Fact]
    public void Seed_001_db_service_loads_with_its_script_check()
    {
        var config = Load("""{ "service": { "name": "db", "tags": ["master"], "port": 3306, "check": { "script": "/usr/local/bin/check_mysql_master", "interval": "10s" } } }""");

        var service = Assert.Single(config.Services);
        Assert.Equal("db", service.Name);
        Assert.Equal("db", service.EffectiveId);
        Assert.Equal(["master"], service.Tags);
        Assert.Equal(3306, service.Port);
        var check = Assert.Single(service.Checks);
        Assert.Equal(CheckKind.Script, check.Kind);
        Assert.Equal("/usr/local/bin/check_mysql_master", check.Script);
        Assert.Equal(TimeSpan.FromSeconds(10), check.Interval);
    }

    [Fact]
    public void Every_service_and_check_key_parses()
    {
        var config = Load("""
            {
              "services": [
                {
                  "id": "web-1", "name": "web", "tags": ["v1", "blue"], "address": "10.0.0.9", "port": 8080,
                  "meta": { "version": "1.2" }, "enable_tag_override": true, "weights": { "passing": 10, "warning": 2 },
                  "token": "t",
                  "check": {
                    "id": "web-http", "name": "HTTP on 8080", "notes": "the front page", "status": "passing",
                    "http": "http://localhost:8080/health", "method": "POST", "header": { "X-Probe": ["a", "b"] },
                    "body": "{}", "tls_skip_verify": true, "interval": "15s", "timeout": "2s",
                    "deregister_critical_service_after": "90m", "output_max_size": 8192
                  },
                  "checks": [
                    { "args": ["/bin/check", "-v"], "interval": "30s" },
                    { "tcp": "localhost:8080", "interval": "5s" },
                    { "ttl": "1m" },
                    { "alias_service": "db", "alias_node": "node-2" }
                  ]
                }
              ],
              "checks": [ { "id": "mem", "name": "Memory", "service_id": "web-1", "script": "free", "interval": "1m" } ],
              "check": { "name": "disk", "ttl": "30s" }
            }
            """);

        var web = Assert.Single(config.Services);
        Assert.Equal("web-1", web.Id);
        Assert.Equal(["v1", "blue"], web.Tags);
        Assert.Equal("10.0.0.9", web.Address);
        Assert.Equal("1.2", web.Meta["version"]);
        Assert.True(web.EnableTagOverride);
        Assert.Equal((10, 2), (web.WeightPassing, web.WeightWarning));
        Assert.Equal(5, web.Checks.Count);
        var http = web.Checks[0];
        Assert.Equal(("web-http", "HTTP on 8080", "the front page", "passing"), (http.Id, http.Name, http.Notes, http.InitialStatus));
        Assert.Equal(CheckKind.Http, http.Kind);
        Assert.Equal("POST", http.Method);
        Assert.Equal(["a", "b"], http.Header["X-Probe"]);
        Assert.Equal("{}", http.Body);
        Assert.True(http.TlsSkipVerify);
        Assert.Equal(TimeSpan.FromSeconds(15), http.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2), http.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(90), http.DeregisterCriticalServiceAfter);
        Assert.Equal(8192, http.OutputMaxSizeBytes);
        Assert.Equal(["/bin/check", "-v"], web.Checks[1].Args);
        Assert.Equal(CheckKind.Tcp, web.Checks[2].Kind);
        Assert.Equal(TimeSpan.FromMinutes(1), web.Checks[3].Ttl);
        Assert.Equal(("db", "node-2"), (web.Checks[4].AliasService, web.Checks[4].AliasNode));
        Assert.Equal(2, config.Checks.Count);
        Assert.Equal(("mem", "web-1", "free"), (config.Checks[0].Id, config.Checks[0].ServiceId, config.Checks[0].Script));
        Assert.Equal(CheckKind.Ttl, config.Checks[1].Kind);
    }

    [Fact]
    public void Service_and_check_keys_are_accepted_in_PascalCase()
    {
        var config = Load("""
            {
              "service": {
                "ID": "redis-1", "Name": "redis", "Tags": ["primary"], "Address": "10.1.1.1", "Port": 6379,
                "Meta": { "a": "b" }, "EnableTagOverride": true, "Weights": { "Passing": 3, "Warning": 1 },
                "Check": { "CheckID": "redis-ttl", "Name": "redis alive", "TTL": "15s", "DeregisterCriticalServiceAfter": "1h" },
                "Checks": [ { "HTTP": "http://x/", "Interval": "10s", "TLSSkipVerify": true, "Header": { "A": ["b"] } }, { "ScriptArgs": ["/bin/true"], "Interval": "10s" } ]
              },
              "check": { "Name": "n", "ServiceID": "redis-1", "TCP": "localhost:6379", "Interval": "10s", "Timeout": "1s" }
            }
            """);

        var redis = Assert.Single(config.Services);
        Assert.Equal(("redis-1", "redis", 6379), (redis.Id, redis.Name, redis.Port));
        Assert.Equal(["primary"], redis.Tags);
        Assert.Equal(3, redis.WeightPassing);
        Assert.Equal(("redis-ttl", TimeSpan.FromSeconds(15), TimeSpan.FromHours(1)), (redis.Checks[0].Id, redis.Checks[0].Ttl, redis.Checks[0].DeregisterCriticalServiceAfter));
        Assert.True(redis.Checks[1].TlsSkipVerify);
        Assert.Equal(["/bin/true"], redis.Checks[2].Args);
        Assert.Equal(("redis-1", "localhost:6379"), (config.Checks[0].ServiceId, config.Checks[0].Tcp));
    }

    [Fact]
    public void Null_values_count_as_not_set()
    {
        var config = Load("""{ "datacenter": null, "ports": { "http": null }, "service": null, "watches": null }""");

        Assert.Equal("dc1", config.Datacenter);
        Assert.Equal(8500, config.HttpPort);
        Assert.Empty(config.Services);
    }
}
