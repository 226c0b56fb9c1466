using Praetor.Agent.Gossip;
using System.Net;
using System.Text;
using System.Text.Json;
using Praetor.Agent;
using Praetor.Gossip;
using Praetor.Gossip.Serf;

namespace Praetor.Api.Tests;

/// <summary>`/v1/operator/keyring` on an agent whose LAN pool is a fake: Consul's methods, bodies, answers and refusals.</summary>
public sealed class KeyringApiTests : IAsyncLifetime
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
    private static readonly string Key2 = Convert.ToBase64String(Enumerable.Repeat((byte)9, 16).ToArray());
    private readonly List<AgentHost> _hosts = [];
    private readonly List<HttpClient> _clients = [];
    private readonly List<string> _dirs = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var host in _hosts) await host.DisposeAsync();
        foreach (var dir in _dirs) Directory.Delete(dir, recursive: true);
    }

    private async Task<(HttpClient Http, FakeLanPool Pool)> StartAsync(bool encrypted = true, string? dataDir = null, bool wan = false)
    {
        FakeLanPool? pool = null;
        var config = new AgentConfig
        {
            DevMode = true, Server = true, Bootstrap = true, HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = 0, NodeName = "key-node",
            Encrypt = encrypted ? Key : null, DataDir = dataDir, SerfWanPort = wan ? 0 : AgentConfig.PortDisabled,
        };
        var host = await AgentHost.StartAsync(config, new AgentStartOptions
        {
            LanPool = (settings, _, _) =>
            {
                var started = new FakeLanPool(settings);
                if (settings.Area == GossipArea.Lan) pool = started;
                return Task.FromResult<ISerfPool>(started);
            },
        }, CancellationToken.None);
        _hosts.Add(host);
        var http = new HttpClient { BaseAddress = host.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(http);
        return (http, pool!);
    }

    private static HttpRequestMessage Request(HttpMethod method, string body, string query = "") =>
        new(method, "/v1/operator/keyring" + query) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    [Fact]
    public async Task Get_lists_the_wan_pools_keys_then_the_lan_pools_in_consuls_shape()
    {
        var (http, _) = await StartAsync(wan: true);

        var response = await http.GetAsync("/v1/operator/keyring");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(
            $"[{{\"WAN\":true,\"Datacenter\":\"dc1\",\"Segment\":\"\",\"Messages\":{{}},\"Keys\":{{\"{Key}\":1}},\"PrimaryKeys\":{{\"{Key}\":1}},\"NumNodes\":1}}," +
            $"{{\"WAN\":false,\"Datacenter\":\"dc1\",\"Segment\":\"\",\"Messages\":{{}},\"Keys\":{{\"{Key}\":1}},\"PrimaryKeys\":{{\"{Key}\":1}},\"NumNodes\":1}}]",
            text);
    }

    [Fact]
    public async Task Post_put_and_delete_install_use_and_remove_the_bodys_key_with_the_relay_factor()
    {
        var (http, pool) = await StartAsync();

        var install = await http.SendAsync(Request(HttpMethod.Post, $"{{\"Key\":\"{Key2}\"}}", "?relay-factor=2"));
        var use = await http.SendAsync(Request(HttpMethod.Put, $"{{\"key\":\"{Key2}\"}}"));
        var remove = await http.SendAsync(Request(HttpMethod.Delete, $"{{\"Key\":\"{Key}\"}}"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { install.StatusCode, use.StatusCode, remove.StatusCode });
        Assert.Equal("", await install.Content.ReadAsStringAsync());
        Assert.Equal(
            [(KeyringOperation.Install, Key2, (byte)2), (KeyringOperation.Use, Key2, (byte)0), (KeyringOperation.Remove, Key, (byte)0)],
            pool.KeyringOperations);
    }

    [Theory]
    [InlineData("POST", "", "", "Request decode failed")]
    [InlineData("POST", "[1]", "", "Request decode failed")]
    [InlineData("POST", "{\"Key\":5}", "", "Request decode failed: Key must be a string")]
    [InlineData("PUT", "{}", "", "Key is required")]
    [InlineData("POST", "{\"Key\":\"not base64!\"}", "", "Invalid key: not base64")]
    [InlineData("DELETE", "{\"Key\":\"AQID\"}", "", "Invalid key: key size must be 16, 24 or 32 bytes, got 3")]
    [InlineData("GET", "", "?relay-factor=6", "Invalid relay-factor: Relay factor must be in range: [0, 5]")]
    [InlineData("GET", "", "?relay-factor=x", "Error parsing relay factor")]
    [InlineData("GET", "", "?local-only=maybe", "Error parsing local-only")]
    [InlineData("POST", "{\"Key\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}", "?local-only=true", "Invalid use of local-only: local-only can only be set for list requests")]
    public async Task Bad_input_is_a_400_that_says_why_and_reaches_no_pool(string method, string body, string query, string message)
    {
        var (http, pool) = await StartAsync();

        var response = await http.SendAsync(Request(new HttpMethod(method), body, query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        Assert.Empty(pool.KeyringOperations);
    }

    [Fact]
    public async Task A_pool_that_reports_failure_is_a_500_with_every_nodes_message()
    {
        var (http, pool) = await StartAsync(encrypted: false);

        var response = await http.GetAsync("/v1/operator/keyring");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(
            "2 errors occurred:\n\t* dc1 (LAN) error: 1/1 nodes reported failure\n\t* key-node: Keyring is empty (encryption not enabled)\n\n",
            await response.Content.ReadAsStringAsync());

        pool.KeyringResult = (_, _) => new KeyringResponse(2, 1, 0, new Dictionary<string, string>(), new Dictionary<string, int>(), new Dictionary<string, int> { [""] = 1 }, "1/2 nodes reported success");
        var partial = await http.SendAsync(Request(HttpMethod.Post, $"{{\"Key\":\"{Key2}\"}}"));
        Assert.Equal(HttpStatusCode.InternalServerError, partial.StatusCode);
        Assert.Equal("1 error occurred:\n\t* dc1 (LAN) error: 1/2 nodes reported success\n\n", await partial.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Local_only_lists_the_lan_pool_alone()
    {
        var (http, pool) = await StartAsync(wan: true);

        var response = await http.GetAsync("/v1/operator/keyring?local-only=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, json.RootElement.GetArrayLength());
        Assert.False(json.RootElement[0].GetProperty("WAN").GetBoolean());
        Assert.Equal(1, json.RootElement[0].GetProperty("Keys").GetProperty(Key).GetInt32());
        Assert.Single(pool.KeyringOperations);
    }

    [Fact]
    public async Task Other_methods_are_refused_with_405()
    {
        var (http, _) = await StartAsync();

        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, "/v1/operator/keyring"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task With_a_data_dir_the_encrypt_key_is_written_to_the_keyring_file_and_read_back_next_time()
    {
        var dir = Directory.CreateTempSubdirectory("praetor-keyring-api-").FullName;
        _dirs.Add(dir);
        var (_, pool) = await StartAsync(dataDir: dir);

        var path = Path.Combine(dir, "serf", "local.keyring");
        Assert.Equal(path, pool.Settings.KeyringFile);
        Assert.Equal([Key], JsonSerializer.Deserialize<string[]>(File.ReadAllText(path))!);

        // A later start takes the file (as rotated by keyring operations) over the encrypt key.
        File.WriteAllText(path, $"[\"{Key2}\", \"{Key}\"]");
        var (_, restarted) = await StartAsync(dataDir: dir);
        Assert.Equal(Convert.FromBase64String(Key2), restarted.Settings.Keyring!.PrimaryKey.ToArray());
        Assert.Equal(2, restarted.Settings.Keyring.Count);
    }
}
