using System.Net;
using System.Text;
using Praetor.Client;
using Praetor.Client.Kv;

namespace Praetor.Cli.Tests.Client;

public sealed class PraetorClientTests
{
    private static PraetorClient ClientWith(StubHandler handler, PraetorClientConfig? config = null) =>
        new(config ?? new PraetorClientConfig(), handler);

    [Theory]
    [InlineData("127.0.0.1:8500", "http://127.0.0.1:8500/")]
    [InlineData("http://10.0.0.1:8500", "http://10.0.0.1:8500/")]
    [InlineData("https://consul.example:8501", "https://consul.example:8501/")]
    [InlineData("http://host:8500/prefix/", "http://host:8500/prefix/")]
    [InlineData("localhost:1234", "http://localhost:1234/")]
    public void Addresses_resolve_as_gos_client_reads_them(string address, string expected)
    {
        Assert.True(AgentAddress.TryParse(address, "http", out var parsed, out var error), error);
        Assert.Equal(expected, parsed.BaseUri.ToString());
        Assert.Null(parsed.UnixSocketPath);
    }

    [Fact]
    public void Unix_addresses_name_the_socket()
    {
        Assert.True(AgentAddress.TryParse("unix:///var/run/consul.sock", "http", out var parsed, out var error), error);
        Assert.Equal("/var/run/consul.sock", parsed.UnixSocketPath);
    }

    [Fact]
    public void Unknown_schemes_are_refused_in_gos_words()
    {
        Assert.False(AgentAddress.TryParse("ftp://host:1", "http", out _, out var error));
        Assert.Equal("Unknown protocol scheme: ftp", error);
        var thrown = Assert.Throws<ArgumentException>(() => new PraetorClient("ftp://host:1"));
        Assert.Equal("Unknown protocol scheme: ftp", thrown.Message);
    }

    [Fact]
    public void Environment_supplies_address_token_and_ssl()
    {
        var env = new Dictionary<string, string>
        {
            ["CONSUL_HTTP_ADDR"] = "10.1.1.1:8500",
            ["CONSUL_HTTP_TOKEN"] = "secret",
            ["CONSUL_HTTP_SSL"] = "true",
            ["CONSUL_HTTP_AUTH"] = "u:p",
        };
        var config = PraetorClientConfig.FromEnvironment(env.GetValueOrDefault);
        Assert.Equal("10.1.1.1:8500", config.Address);
        Assert.Equal("secret", config.Token);
        Assert.Equal("https", config.Scheme);
        Assert.Equal("u:p", config.HttpAuth);
        using var client = new PraetorClient(config);
        Assert.Equal("https://10.1.1.1:8500/", client.Address.BaseUri.ToString());
    }

    [Fact]
    public void Defaults_are_consuls_without_environment()
    {
        var config = PraetorClientConfig.FromEnvironment(_ => null);
        Assert.Equal("127.0.0.1:8500", config.Address);
        Assert.Null(config.Token);
        Assert.Equal("http", config.Scheme);
    }

    [Fact]
    public async Task Token_is_sent_as_x_consul_token_and_a_request_token_wins()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "[]");
        using var client = ClientWith(handler, new PraetorClientConfig { Token = "config-token" });
        await client.Kv.ListAsync("a");
        await client.Kv.ListAsync("a", new QueryOptions { Token = "request-token" });
        Assert.Equal("config-token", handler.Requests[0].Headers.GetValues("X-Consul-Token").Single());
        Assert.Equal("request-token", handler.Requests[1].Headers.GetValues("X-Consul-Token").Single());
    }

    [Fact]
    public async Task Token_file_wins_over_the_token()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "  file-token\n");
            var handler = new StubHandler(HttpStatusCode.OK, "\"\"");
            using var client = ClientWith(handler, new PraetorClientConfig { Token = "plain", TokenFile = path });
            await client.Status.LeaderAsync();
            Assert.Equal("file-token", handler.Requests[0].Headers.GetValues("X-Consul-Token").Single());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Query_options_become_consuls_parameters()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "[]");
        using var client = ClientWith(handler, new PraetorClientConfig { Datacenter = "dc2" });
        await client.Kv.ListAsync("web", new QueryOptions { AllowStale = true, WaitIndex = 17, WaitTime = TimeSpan.FromSeconds(100) });
        await client.Kv.KeysAsync("web", "/", new QueryOptions { RequireConsistent = true, Datacenter = "dc3" });
        Assert.Equal("/v1/kv/web?stale=&index=17&wait=100000ms&recurse=&dc=dc2", handler.Requests[0].RequestUri!.PathAndQuery);
        Assert.Equal("/v1/kv/web?dc=dc3&consistent=&keys=&separator=%2F", handler.Requests[1].RequestUri!.PathAndQuery);
    }

    [Fact]
    public async Task Query_meta_comes_from_consuls_headers()
    {
        var handler = new StubHandler(HttpStatusCode.OK, """[{"LockIndex":1,"Key":"zip","Flags":2,"Value":"dGVzdA==","Session":"s1","CreateIndex":100,"ModifyIndex":200}]""",
            new() { ["X-Consul-Index"] = "200", ["X-Consul-KnownLeader"] = "true", ["X-Consul-LastContact"] = "15" });
        using var client = ClientWith(handler);
        var result = await client.Kv.GetAsync("zip");
        Assert.Equal(200UL, result.Meta.LastIndex);
        Assert.True(result.Meta.KnownLeader);
        Assert.Equal(TimeSpan.FromMilliseconds(15), result.Meta.LastContact);
        var entry = result.Response!;
        Assert.Equal(("zip", 1UL, 2UL, "test", "s1", 100UL, 200UL),
            (entry.Key, entry.LockIndex, entry.Flags, Encoding.UTF8.GetString(entry.Value!), entry.Session, entry.CreateIndex, entry.ModifyIndex));
    }

    [Fact]
    public async Task A_null_value_reads_as_null()
    {
        var handler = new StubHandler(HttpStatusCode.OK, """[{"LockIndex":0,"Key":"k","Flags":0,"Value":null,"CreateIndex":1,"ModifyIndex":1}]""");
        using var client = ClientWith(handler);
        var entry = (await client.Kv.GetAsync("k")).Response!;
        Assert.Null(entry.Value);
        Assert.Null(entry.Session);
    }

    [Fact]
    public async Task Unexpected_status_carries_code_and_trimmed_body_in_gos_words()
    {
        var handler = new StubHandler(HttpStatusCode.InternalServerError, "No cluster leader\n");
        using var client = ClientWith(handler);
        var thrown = await Assert.ThrowsAsync<ApiStatusException>(() => client.Kv.GetAsync("k"));
        Assert.Equal(500, thrown.StatusCode);
        Assert.Equal("No cluster leader", thrown.Body);
        Assert.Equal("Unexpected response code: 500 (No cluster leader)", thrown.Message);
    }

    [Fact]
    public async Task Not_found_reads_as_no_entry_or_empty_lists()
    {
        var handler = new StubHandler(HttpStatusCode.NotFound, string.Empty, new() { ["X-Consul-Index"] = "9" });
        using var client = ClientWith(handler);
        var single = await client.Kv.GetAsync("k");
        Assert.Null(single.Response);
        Assert.Equal(9UL, single.Meta.LastIndex);
        Assert.Empty((await client.Kv.ListAsync("k")).Response);
        Assert.Empty((await client.Kv.KeysAsync("k")).Response);
    }

    [Fact]
    public async Task Writes_send_raw_bytes_flags_and_conditions_and_read_the_answer()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "false");
        using var client = ClientWith(handler);
        Assert.False(await client.Kv.CasAsync("a b/c", new byte[] { 1, 2 }, modifyIndex: 5, flags: 3));
        Assert.False(await client.Kv.AcquireAsync("k", ReadOnlyMemory<byte>.Empty, "sess"));
        Assert.False(await client.Kv.DeleteCasAsync("k", 4));
        Assert.False(await client.Kv.DeleteTreeAsync("p"));
        Assert.Equal("/v1/kv/a%20b/c?flags=3&cas=5", handler.Requests[0].RequestUri!.PathAndQuery);
        Assert.Equal(HttpMethod.Put, handler.Requests[0].Method);
        Assert.Equal(new byte[] { 1, 2 }, handler.Bodies[0]);
        Assert.Equal("/v1/kv/k?acquire=sess", handler.Requests[1].RequestUri!.PathAndQuery);
        Assert.Equal("/v1/kv/k?cas=4", handler.Requests[2].RequestUri!.PathAndQuery);
        Assert.Equal(HttpMethod.Delete, handler.Requests[2].Method);
        Assert.Equal("/v1/kv/p?recurse=", handler.Requests[3].RequestUri!.PathAndQuery);
    }

    [Fact]
    public async Task Keys_starting_with_a_slash_are_refused_before_sending()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "true");
        using var client = ClientWith(handler);
        var thrown = await Assert.ThrowsAsync<ArgumentException>(() => client.Kv.PutAsync("/k", ReadOnlyMemory<byte>.Empty));
        Assert.Equal("Invalid key. Key must not begin with a '/': /k", thrown.Message);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Rolled_back_transactions_return_their_errors()
    {
        var handler = new StubHandler(HttpStatusCode.Conflict, """{"Results":null,"Errors":[{"OpIndex":1,"What":"failed to lock key \"k\""}]}""");
        using var client = ClientWith(handler);
        var result = await client.Kv.TxnAsync([TxnOp.ForKv(new KvTxnOp { Verb = KvTxnVerbs.Set, Key = "k", Value = [1] })]);
        Assert.False(result.Committed);
        var error = Assert.Single(result.Response.Errors!);
        Assert.Equal(1, error.OpIndex);
        Assert.Equal("/v1/txn", handler.Requests[0].RequestUri!.PathAndQuery);
        Assert.Contains("\"KV\":{\"Verb\":\"set\",\"Key\":\"k\",\"Value\":\"AQ==\"", Encoding.UTF8.GetString(handler.Bodies[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_connections_name_method_url_and_address()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new PraetorClient(new PraetorClientConfig { Address = $"127.0.0.1:{port}" });
        var thrown = await Assert.ThrowsAsync<AgentConnectionException>(() => client.Kv.PutAsync("k", ReadOnlyMemory<byte>.Empty));
        Assert.Equal($"Put \"http://127.0.0.1:{port}/v1/kv/k\": dial tcp 127.0.0.1:{port}: connect: connection refused", thrown.Message);
    }
}
