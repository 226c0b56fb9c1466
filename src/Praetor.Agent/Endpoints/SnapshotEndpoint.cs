using Praetor.Raft;
using Praetor.State;
using Praetor.State.Commands;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Consul's Snapshot endpoint: save the whole state as a <see cref="SnapshotArchive"/>, and
/// restore one through the log (a <see cref="RestoreCommand"/>), so every server replaces its
/// state at the same point.
/// </summary>
/// <remarks>
/// The archive's term is recorded as 0: <see cref="IReplicatedLog"/> does not expose the Raft
/// term. A restore is one log entry carrying the whole state document, so it is refused above
/// <see cref="SnapshotArchive.StateMaxBytes"/>.
/// </remarks>
public sealed class SnapshotEndpoint(StateStore store, IReplicatedLog log, Func<ulong> term, BlockingQuery blocking, TimeProvider time) : ISnapshotEndpoint
{
    /// <inheritdoc/>
    /// <remarks>The archive records the log's current term.</remarks>
    public async Task<(byte[] Archive, QueryMeta Meta)> SaveAsync(ConsistencyMode consistency, CancellationToken cancellationToken)
    {
        await blocking.EnsureConsistencyAsync(consistency, cancellationToken).ConfigureAwait(false);
        var state = store.Current;
        using var archive = new MemoryStream();
        SnapshotArchive.Write(state, term(), time.GetUtcNow(), archive);
        return (archive.ToArray(), blocking.Meta(state.Index, consistency));
    }

    /// <inheritdoc/>
    public async Task RestoreAsync(byte[] archive, CancellationToken cancellationToken)
    {
        StateSnapshot state;
        try
        {
            state = SnapshotArchive.Read(archive).State;
        }
        catch (InvalidDataException ex)
        {
            throw EndpointException.BadRequest(ex.Message);
        }
        await log.ApplyAsync(CommandCodec.Encode(new RestoreCommand(state)), cancellationToken).ConfigureAwait(false);
    }
}
