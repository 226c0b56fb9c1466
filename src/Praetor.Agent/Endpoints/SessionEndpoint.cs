using Praetor.Raft;
using Praetor.State;
using Praetor.State.Commands;
using Praetor.State.Sessions;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Sessions on a server (Consul's Session endpoint): reads from the state store through
/// <see cref="BlockingQuery"/>, writes through the log. The request checks Consul makes before
/// the log (behavior, TTL range) are made here; the checks against the catalog are the state
/// machine's, so every server applies the same outcome. A renewal also goes through the log, so
/// the leader of the moment hears it (Consul sends it to the leader by RPC instead).
/// </summary>
public sealed class SessionEndpoint(StateStore store, IReplicatedLog log, BlockingQuery blocking, Func<TimeSpan> ttlMin) : ISessionEndpoint
{
    /// <inheritdoc/>
    public async Task<string> CreateAsync(Session session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        Validate(session, ttlMin());
        var created = session with { Id = Guid.NewGuid().ToString() };
        var error = (string?)(await ApplyAsync(new SessionCreateCommand(created), cancellationToken).ConfigureAwait(false));
        return error is null ? created.Id : throw new EndpointException(EndpointErrorKind.Failed, error);
    }

    /// <inheritdoc/>
    public Task DestroyAsync(string id, CancellationToken cancellationToken) =>
        ApplyAsync(new SessionDestroyCommand(RequireId(id)), cancellationToken);

    /// <inheritdoc/>
    public async Task<Session?> RenewAsync(string id, CancellationToken cancellationToken) =>
        // This server has applied the renewal, so it holds the session as the leader did.
        await RenewInLogAsync(id, cancellationToken).ConfigureAwait(false) ? store.Current.Sessions.Get(id) : null;

    /// <summary>Puts a renewal through the log; false when no such session exists.</summary>
    internal async Task<bool> RenewInLogAsync(string id, CancellationToken cancellationToken) =>
        await ApplyAsync(new SessionRenewCommand(RequireId(id)), cancellationToken).ConfigureAwait(false) is null;

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<Session>>> InfoAsync(string id, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync<IReadOnlyList<Session>>(
            options,
            watches => store.SessionWatches.WatchKey(watches, SessionWatchKeys.Id(id)),
            snapshot => (snapshot.Sessions.Index, snapshot.Sessions.Get(id) is { } session ? [session] : []),
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<Session>>> NodeAsync(string node, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync<IReadOnlyList<Session>>(
            options,
            watches => store.SessionWatches.WatchKey(watches, SessionWatchKeys.Node(node)),
            snapshot => (snapshot.Sessions.Index, [.. snapshot.Sessions.OnNode(node)]),
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<Session>>> ListAsync(QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync<IReadOnlyList<Session>>(
            options,
            watches => store.SessionWatches.WatchPrefix(watches, ""),
            snapshot => (snapshot.Sessions.Index, [.. snapshot.Sessions.All]),
            cancellationToken);

    /// <summary>
    /// Consul's checks before the log: the behavior is release or delete, and a TTL (a Go duration,
    /// <c>15s</c> or <c>15.000000s</c>) is zero or within [<paramref name="min"/>, 24h].
    /// </summary>
    public static void Validate(Session session, TimeSpan min)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Behavior is not (SessionBehavior.Release or SessionBehavior.Delete))
        {
            throw new EndpointException(EndpointErrorKind.Failed, $"Invalid Behavior setting '{session.Behavior}'");
        }
        if (session.Ttl.Length == 0)
        {
            return;
        }
        if (!GoDuration.TryParse(session.Ttl, out var ttl, out var error))
        {
            throw new EndpointException(EndpointErrorKind.Failed, $"Session TTL '{session.Ttl}' invalid: {error}");
        }
        if (ttl != TimeSpan.Zero && (ttl < min || ttl > SessionDefaults.TtlMax))
        {
            // Go prints the TTL with %d: its nanoseconds.
            throw new EndpointException(EndpointErrorKind.Failed,
                $"Invalid Session TTL '{ttl.Ticks * 100}', must be between [{GoDuration.Format(min)}={GoDuration.Format(SessionDefaults.TtlMax)}]");
        }
    }

    /// <summary>The TTL a session's timer runs for: its parsed TTL (already validated), or zero for none.</summary>
    public static TimeSpan TtlOf(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Ttl.Length > 0 && GoDuration.TryParse(session.Ttl, out var ttl, out _) && ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero;
    }

    private async Task<object?> ApplyAsync(Command command, CancellationToken cancellationToken) =>
        (await log.ApplyAsync(CommandCodec.Encode(command), cancellationToken).ConfigureAwait(false)).Response;

    private static string RequireId(string id) =>
        string.IsNullOrEmpty(id) ? throw EndpointException.BadRequest("Missing session") : id;
}
