using Praetor.Agent.Cluster;
using Praetor.State.Catalog;
using Praetor.State.Commands;
using Praetor.State.Coordinates;
using Praetor.State.Kv;
using Praetor.State.Sessions;
using static Praetor.Agent.Endpoints.Remote.EndpointRpcCodecs;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>
/// The endpoint layer's reads, the Raft operator's calls and the snapshot transfer as RPC methods,
/// named as Consul's server endpoints (but <c>Status.ListPeers</c>, Consul's Status.Peers, and the
/// snapshot's chunked calls). Arguments are the endpoint method's parameters in order (a tuple),
/// the result its return value.
/// </summary>
internal static class EndpointRpcMethods
{
    private static readonly RpcValueCodec<(string, QueryOptions)> NameQuery = Pair(RequiredString, Options);
    private static readonly RpcValueCodec<(NodeMetaFilter, QueryOptions)> MetaQuery = Pair(NodeMeta, Options);

    public static readonly EndpointRpcMethod<(string Key, QueryOptions Options), QueryResult<KvEntry?>> KvGet =
        new("KVS.Get", NameQuery, Query(Optional(Entry)));

    public static readonly EndpointRpcMethod<(string Prefix, QueryOptions Options), QueryResult<IReadOnlyList<KvEntry>>> KvList =
        new("KVS.List", NameQuery, Query(Entries));

    public static readonly EndpointRpcMethod<(string Prefix, string? Separator, QueryOptions Options), QueryResult<IReadOnlyList<string>>> KvKeys =
        new("KVS.ListKeys", Triple(RequiredString, OptionalString, Options), Query(Strings));

    public static readonly EndpointRpcMethod<(IReadOnlyList<TxnOperation> Operations, ConsistencyMode Consistency), (TxnResult Result, QueryMeta Meta)> TxnRead =
        new("Txn.Read", Pair(ReadOperations, Consistency), Pair(Transaction, Meta));

    public static readonly EndpointRpcMethod<(NodeMetaFilter Meta, QueryOptions Options), QueryResult<IReadOnlyList<CatalogNode>>> CatalogNodes =
        new("Catalog.ListNodes", MetaQuery, Query(List(Node)));

    public static readonly EndpointRpcMethod<(NodeMetaFilter Meta, QueryOptions Options), QueryResult<IReadOnlyList<(string Name, IReadOnlyList<string> Tags)>>> CatalogServices =
        new("Catalog.ListServices", MetaQuery, Query(List(Pair(RequiredString, Strings))));

    public static readonly EndpointRpcMethod<((string Service, IReadOnlyList<string> Tags) Service, NodeMetaFilter Meta, QueryOptions Options), QueryResult<IReadOnlyList<(CatalogNode Node, ServiceInstance Service)>>> CatalogServiceNodes =
        new("Catalog.ServiceNodes", Triple(Pair(RequiredString, Strings), NodeMeta, Options), Query(List(Pair(Node, Service))));

    public static readonly EndpointRpcMethod<(string Node, QueryOptions Options), QueryResult<(CatalogNode? Node, IReadOnlyList<ServiceInstance> Services)>> CatalogNodeServices =
        new("Catalog.NodeServices", NameQuery, Query(Pair(Optional(Node), List(Service))));

    public static readonly EndpointRpcMethod<(string Node, QueryOptions Options), QueryResult<IReadOnlyList<HealthCheck>>> HealthNodeChecks =
        new("Health.NodeChecks", NameQuery, Query(CheckList));

    public static readonly EndpointRpcMethod<(string Service, QueryOptions Options), QueryResult<IReadOnlyList<HealthCheck>>> HealthServiceChecks =
        new("Health.ServiceChecks", NameQuery, Query(CheckList));

    public static readonly EndpointRpcMethod<((string Service, IReadOnlyList<string> Tags) Service, (NodeMetaFilter Meta, bool PassingOnly) Filter, QueryOptions Options), QueryResult<IReadOnlyList<ServiceHealth>>> HealthServiceNodes =
        new("Health.ServiceNodes", Triple(Pair(RequiredString, Strings), Pair(NodeMeta, Flag), Options), Query(List(ServiceEntry)));

    public static readonly EndpointRpcMethod<(string State, QueryOptions Options), QueryResult<IReadOnlyList<HealthCheck>>> HealthChecksInState =
        new("Health.ChecksInState", NameQuery, Query(CheckList));

    public static readonly EndpointRpcMethod<(string Id, QueryOptions Options), QueryResult<IReadOnlyList<Session>>> SessionGet =
        new("Session.Get", NameQuery, Query(Sessions));

    public static readonly EndpointRpcMethod<(string Node, QueryOptions Options), QueryResult<IReadOnlyList<Session>>> SessionNode =
        new("Session.NodeSessions", NameQuery, Query(Sessions));

    public static readonly EndpointRpcMethod<QueryOptions, QueryResult<IReadOnlyList<Session>>> SessionList =
        new("Session.List", Options, Query(Sessions));

    public static readonly EndpointRpcMethod<CoordinateEntry, ValueTuple> CoordinateUpdate = new("Coordinate.Update", Coordinate, None);

    public static readonly EndpointRpcMethod<QueryOptions, QueryResult<IReadOnlyList<CoordinateEntry>>> CoordinateListNodes =
        new("Coordinate.ListNodes", Options, Query(Coordinates));

    public static readonly EndpointRpcMethod<(string Node, QueryOptions Options), QueryResult<IReadOnlyList<CoordinateEntry>>> CoordinateNode =
        new("Coordinate.Node", NameQuery, Query(Coordinates));

    public static readonly EndpointRpcMethod<ValueTuple, IReadOnlyList<DatacenterCoordinates>> CoordinateListDatacenters =
        new("Coordinate.ListDatacenters", None, List(DatacenterMap));

    public static readonly EndpointRpcMethod<ValueTuple, string> StatusLeader = new("Status.Leader", None, RequiredString);

    public static readonly EndpointRpcMethod<ValueTuple, IReadOnlyList<string>> StatusPeers = new("Status.ListPeers", None, Strings);

    public static readonly EndpointRpcMethod<ConsistencyMode, RaftConfigurationInfo> OperatorRaftConfiguration =
        new("Operator.RaftGetConfiguration", Consistency, RaftConfiguration);

    public static readonly EndpointRpcMethod<(string? Id, string? Address), ValueTuple> OperatorRaftRemovePeer =
        new("Operator.RaftRemovePeer", Pair(OptionalString, OptionalString), None);

    /// <summary>
    /// Saves a snapshot: its meta, the archive's length, and its first chunk; the rest, when there
    /// is more, is held under the transfer id (0: none) for <see cref="SnapshotRead"/>.
    /// </summary>
    public static readonly EndpointRpcMethod<ConsistencyMode, (QueryMeta Meta, (int Length, ulong Transfer, ReadOnlyMemory<byte> Chunk) First)> SnapshotSave =
        new("Snapshot.Save", Consistency, Pair(Meta, Triple(Count, Number, Binary)));

    /// <summary>The chunk of a saved archive at an offset; the transfer ends with its last chunk.</summary>
    public static readonly EndpointRpcMethod<(ulong Transfer, int Offset), ReadOnlyMemory<byte>> SnapshotRead =
        new("Snapshot.Read", Pair(Number, Count), Binary);

    /// <summary>
    /// One chunk of an archive to restore, <c>[transfer (0: a new one), [length, offset], chunk]</c>;
    /// answers the transfer id to send the next chunk under, or 0 once the archive is complete and restored.
    /// </summary>
    public static readonly EndpointRpcMethod<(ulong Transfer, (int Length, int Offset) At, ReadOnlyMemory<byte> Chunk), ulong> SnapshotRestore =
        new("Snapshot.Restore", Triple(Number, Pair(Count, Count), Binary), Number);
}
