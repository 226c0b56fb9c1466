namespace Praetor.Agent.Endpoints;

/// <summary>
/// Consul's Snapshot endpoint (<c>/v1/snapshot</c>, <c>praetor snapshot save|restore</c>): on a
/// server <see cref="SnapshotEndpoint"/>, on a client agent <see cref="Remote.RemoteSnapshotEndpoint"/>
/// (the archive carried in chunks by RPC to and from a server).
/// </summary>
public interface ISnapshotEndpoint
{
    /// <summary>The whole state as a snapshot archive, with the meta of a read in <paramref name="consistency"/> at the state's index.</summary>
    Task<(byte[] Archive, QueryMeta Meta)> SaveAsync(ConsistencyMode consistency, CancellationToken cancellationToken);

    /// <summary>
    /// Verifies <paramref name="archive"/> whole (a bad one is a <see cref="EndpointErrorKind.BadRequest"/>
    /// naming the fault, and nothing changes), then replaces the state with it through the log.
    /// </summary>
    Task RestoreAsync(byte[] archive, CancellationToken cancellationToken);
}
