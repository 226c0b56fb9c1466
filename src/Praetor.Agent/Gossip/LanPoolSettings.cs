using System.Net;
using Microsoft.Extensions.Logging;
using Praetor.Gossip;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Gossip;

/// <summary>
/// What the agent asks of its LAN pool: the node's name, where to bind (port 0 picks a free one),
/// what to advertise (null: the bound address and port), Consul's member tags, the protocol
/// parameters and the gossip keys.
/// </summary>
public sealed record LanPoolSettings(
    string NodeName,
    IPEndPoint Bind,
    IPEndPoint? Advertise,
    IReadOnlyDictionary<string, string> Tags,
    GossipOptions Gossip,
    SerfOptions Serf,
    Keyring? Keyring,
    ILogger? Log)
{
    /// <summary>Where the pool keeps its keyring (Consul's <c>&lt;data_dir&gt;/serf/local.keyring</c>); null: in memory only.</summary>
    public string? KeyringFile { get; init; }
}

/// <summary>Starts a gossip pool (the real <c>SerfPool</c>, or a test's fake); throws when it cannot bind.</summary>
public delegate Task<ISerfPool> SerfPoolFactory(LanPoolSettings settings, TimeProvider time, CancellationToken cancellationToken);

/// <summary>The LAN pool could not start (its port taken, its address not local): the agent cannot run.</summary>
public sealed class LanPoolStartException(string message, Exception? inner) : Exception(message, inner);
