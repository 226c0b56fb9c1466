using Praetor.State;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>
/// A client agent's Snapshot endpoint: the archive carried by RPC in chunks of at most
/// <paramref name="chunkBytes"/> (the server chooses the size of a saved archive's), so an archive
/// is bounded by <see cref="SnapshotArchive.ArchiveMaxBytes"/> and not by the RPC frame limit.
/// The server verifies an archive to restore once it has all of it; a bad one changes nothing.
/// </summary>
/// <param name="chunkBytes">The size of the chunks of an archive to restore.</param>
public sealed class RemoteSnapshotEndpoint(EndpointRpcClient rpc, int chunkBytes = RemoteSnapshotEndpoint.ChunkBytes) : ISnapshotEndpoint
{
    /// <summary>The chunk size of a snapshot transfer: 1 MiB, well within a frame and short enough not to hold up the calls sharing its connection.</summary>
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>
    /// What one call of a transfer may take: the last chunk of a restore waits for the restore
    /// itself, which a follower forwards to the leader (up to <see cref="Cluster.ForwardingLog.CallTimeout"/>
    /// after <see cref="Cluster.ForwardingLog.HoldTimeout"/> of retries).
    /// </summary>
    public static readonly TimeSpan CallTimeout = Cluster.ForwardingLog.CallTimeout + Cluster.ForwardingLog.HoldTimeout;

    /// <inheritdoc/>
    public async Task<(byte[] Archive, QueryMeta Meta)> SaveAsync(ConsistencyMode consistency, CancellationToken cancellationToken)
    {
        var (meta, (length, transfer, chunk)) = await rpc.CallAsync(EndpointRpcMethods.SnapshotSave, consistency, CallTimeout, cancellationToken).ConfigureAwait(false);
        if (length > SnapshotArchive.ArchiveMaxBytes || chunk.Length > length || (chunk.Length < length && transfer == 0))
        {
            throw Malformed($"a first chunk of {chunk.Length} bytes of {length} (transfer {transfer})");
        }
        var archive = new byte[length];
        chunk.CopyTo(archive);
        var offset = chunk.Length;
        while (offset < length)
        {
            chunk = await rpc.CallAsync(EndpointRpcMethods.SnapshotRead, (transfer, offset), CallTimeout, cancellationToken).ConfigureAwait(false);
            if (chunk.Length == 0 || chunk.Length > length - offset)
            {
                throw Malformed($"a chunk of {chunk.Length} bytes at offset {offset} of {length}");
            }
            chunk.CopyTo(archive.AsMemory(offset));
            offset += chunk.Length;
        }
        return (archive, meta);
    }

    /// <inheritdoc/>
    public async Task RestoreAsync(byte[] archive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        ulong transfer = 0;
        var offset = 0;
        do
        {
            var count = Math.Min(chunkBytes, archive.Length - offset);
            transfer = await rpc.CallAsync(EndpointRpcMethods.SnapshotRestore, (transfer, (archive.Length, offset), archive.AsMemory(offset, count)), CallTimeout, cancellationToken).ConfigureAwait(false);
            offset += count;
            if ((transfer == 0) != (offset == archive.Length))
            {
                throw Malformed(transfer == 0 ? $"the transfer ended at offset {offset} of {archive.Length}" : "the transfer did not end with the archive's last chunk");
            }
        }
        while (offset < archive.Length);
    }

    private static EndpointException Malformed(string what) =>
        new(EndpointErrorKind.Failed, $"malformed snapshot transfer from the server: {what}");
}
