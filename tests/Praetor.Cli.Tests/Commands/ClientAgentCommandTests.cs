using Praetor.Agent;
using Praetor.Agent.Endpoints.Remote;
using Praetor.Api;
using Praetor.Cli.Tests.Config;
using Praetor.Client;

namespace Praetor.Cli.Tests.Commands;

/// <summary>
/// <c>praetor operator raft</c> and <c>praetor snapshot</c> pointed at a client agent, whose
/// endpoints reach a server by RPC (in process here, <see cref="AgentStartOptions.ServerRpc"/>):
/// the answers and changes are the server's.
/// </summary>
public sealed class ClientAgentCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TempConfigDir _dir = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private AgentHost _server = null!;
    private AgentHost _client = null!;
    private PraetorClient _serverApi = null!;

    private static AgentConfig Config(string name) => new()
    {
        DevMode = true, Server = true, HttpPort = 0, DnsPort = AgentConfig.PortDisabled,
        SerfLanPort = AgentConfig.PortDisabled, SerfWanPort = AgentConfig.PortDisabled, NodeName = name,
    };

    public async Task InitializeAsync()
    {
        _server = await AgentHost.StartAsync(Config("server"));
        var rpc = new InProcessServerRpc();
        var agent = _server.Agent;
        EndpointRpcHandlers.Register(rpc.Register, agent.Kv, agent.Txn, agent.Catalog, agent.Health, agent.Status, agent.Sessions, agent.Coordinate, agent.RaftOperator, agent.Snapshot);
        _client = await AgentHost.StartAsync(Config("client"), new AgentStartOptions { ServerRpc = rpc }, CancellationToken.None);
        _serverApi = new PraetorClient(new PraetorClientConfig { Address = _server.HttpAddress.Authority });
        _environment["CONSUL_HTTP_ADDR"] = _client.HttpAddress.Authority;
    }

    public async Task DisposeAsync()
    {
        _serverApi.Dispose();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();

    private Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(_environment, string.Empty, args);

    [Fact]
    public async Task List_peers_on_a_client_prints_the_servers_table()
    {
        var onClient = await RunAsync("operator", "raft", "list-peers");
        _environment["CONSUL_HTTP_ADDR"] = _server.HttpAddress.Authority;
        var onServer = await RunAsync("operator", "raft", "list-peers");

        Assert.True(onClient.ExitCode == 0, onClient.ToString());
        Assert.Equal(onServer.Stdout, onClient.Stdout);
        Assert.Contains($"server  {_server.Agent.NodeId}  127.0.0.1:8300  leader", onClient.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_peer_of_an_unknown_server_on_a_client_prints_the_servers_error_and_changes_nothing()
    {
        var run = await RunAsync("operator", "raft", "remove-peer", "-id=no-such-id");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error removing peer: Unexpected response code: 500", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("id \"no-such-id\" was not found in the Raft configuration", run.Stderr, StringComparison.Ordinal);
        Assert.Single(_server.Agent.Raft!.Peers);
    }

    [Fact]
    public async Task Snapshot_save_and_restore_on_a_client_back_up_and_restore_the_servers_state_and_a_bad_file_changes_nothing()
    {
        Assert.True(await _serverApi.Kv.PutAsync("app/one", "1"u8.ToArray()));
        var file = Path.Combine(_dir.Path, "backup.snap");

        var save = await RunAsync("snapshot", "save", file);

        Assert.True(save.ExitCode == 0, save.ToString());
        Assert.Equal($"Saved and verified snapshot to index {_server.Agent.Store.Current.Index}\n", save.Stdout);

        Assert.True(await _serverApi.Kv.PutAsync("app/one", "2"u8.ToArray()));
        var bad = Path.Combine(_dir.Path, "bad.snap");
        await File.WriteAllTextAsync(bad, "not a snapshot");
        var state = _server.Agent.Store.Current;
        var restoreBad = await RunAsync("snapshot", "restore", bad);

        Assert.Equal((1, "Error restoring snapshot: Unexpected response code: 400 (not a snapshot archive: not gzip-compressed)\n"), (restoreBad.ExitCode, restoreBad.Stderr));
        Assert.Same(state, _server.Agent.Store.Current);

        var restore = await RunAsync("snapshot", "restore", file);

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("Restored snapshot\n", restore.Stdout);
        Assert.Equal("1"u8.ToArray(), (await _serverApi.Kv.GetAsync("app/one")).Response!.Value);
    }

    /// <summary>Dispatches each call to the handler registered under its method, as the RPC server would.</summary>
    private sealed class InProcessServerRpc : IServerRpc
    {
        private readonly Dictionary<string, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>>> _handlers = new(StringComparer.Ordinal);

        public void Register(string method, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> handler) => _handlers.Add(method, handler);

        public Task<byte[]> CallAsync(string method, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken) =>
            _handlers[method](body, cancellationToken).WaitAsync(timeout, cancellationToken);
    }
}
