using Praetor.Agent.Endpoints;
using Praetor.Raft;
using Praetor.State;

namespace Praetor.Agent;

/// <summary>
/// One agent: its configuration, the state store with its state machine and log, and the
/// endpoint layer that the HTTP API (and later DNS) call. In `-dev` mode the log is the
/// single-node in-memory one.
/// </summary>
public sealed class Agent : IAsyncDisposable
{
    private readonly TombstoneReaper _reaper;

    private Agent(AgentConfig config, TimeProvider time)
    {
        Config = config;
        NodeId = string.IsNullOrEmpty(config.NodeId) ? Guid.NewGuid().ToString() : config.NodeId;
        Store = new StateStore();
        Log = new SingleNodeLog(new StateMachine(Store), ServerAddress);
        var blocking = new BlockingQuery(Store, Log, config, time);
        Blocking = blocking;
        Txn = new TxnEndpoint(Store, Log, blocking);
        Kv = new KvEndpoint(Store, Txn, blocking);
        Status = new StatusEndpoint(Log);
        _reaper = new TombstoneReaper(Store, Log, config.TombstoneTtl, time);
    }

    /// <summary>Starts an agent; throws <see cref="ArgumentException"/> listing every configuration problem.</summary>
    public static Agent Start(AgentConfig config, TimeProvider? time = null)
    {
        var problems = config.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid configuration:\n  " + string.Join("\n  ", problems), nameof(config));
        }
        return new Agent(config, time ?? TimeProvider.System);
    }

    public AgentConfig Config { get; }

    public string NodeId { get; }

    public StateStore Store { get; }

    public IReplicatedLog Log { get; }

    public BlockingQuery Blocking { get; }

    public KvEndpoint Kv { get; }

    public TxnEndpoint Txn { get; }

    public StatusEndpoint Status { get; }

    /// <summary>This server's RPC address as peers know it.</summary>
    public string ServerAddress => $"{Config.AdvertiseAddress}:{(Config.ServerPort > 0 ? Config.ServerPort : 8300)}";

    /// <summary>This agent as a gossip member, with Consul's member tags.</summary>
    public AgentMember Member()
    {
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["acls"] = "0",
            ["build"] = $"{BuildInfo.ConsulVersion}:{BuildInfo.Revision}",
            ["dc"] = Config.Datacenter,
            ["id"] = NodeId,
            ["role"] = Config.Server || Config.DevMode ? "consul" : "node",
            ["segment"] = "",
            ["vsn"] = BuildInfo.ProtocolVersion.ToString(),
            ["vsn_max"] = BuildInfo.ProtocolVersionMax.ToString(),
            ["vsn_min"] = BuildInfo.ProtocolVersionMin.ToString(),
        };
        if (Config.Server || Config.DevMode)
        {
            tags["port"] = (Config.ServerPort > 0 ? Config.ServerPort : 8300).ToString();
            tags["raft_vsn"] = "3";
            tags["expect"] = "0";
            tags["bootstrap"] = "1";
        }
        var port = Config.SerfLanPort > 0 ? Config.SerfLanPort : 8301;
        return new AgentMember(Config.NodeName, Config.AdvertiseAddress, port, tags, Status: 1,
            ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: BuildInfo.ProtocolVersion, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4);
    }

    public async ValueTask DisposeAsync()
    {
        await _reaper.DisposeAsync().ConfigureAwait(false);
        await Log.DisposeAsync().ConfigureAwait(false);
    }
}
