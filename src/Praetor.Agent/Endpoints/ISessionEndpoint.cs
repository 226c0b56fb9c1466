using Praetor.State.Sessions;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Sessions (Consul's Session endpoint), as the HTTP API calls them: on a server
/// <see cref="SessionEndpoint"/> (the state store and the log), on a client
/// <see cref="Remote.RemoteSessionEndpoint"/> (reads by RPC to a server, writes through the log).
/// Refusals are <see cref="EndpointException"/>s carrying Consul's text.
/// </summary>
public interface ISessionEndpoint
{
    /// <summary>
    /// Creates a session from <paramref name="session"/> (its ID is ignored; a new UUID is chosen)
    /// and returns its ID; a bad behavior or TTL, a missing node or check, or a critical check is
    /// refused (<see cref="EndpointErrorKind.Failed"/>) with nothing changed.
    /// </summary>
    Task<string> CreateAsync(Session session, CancellationToken cancellationToken);

    /// <summary>Destroys a session, releasing or deleting its locks; an unknown ID is no error.</summary>
    Task DestroyAsync(string id, CancellationToken cancellationToken);

    /// <summary>Renews a session's TTL; null when no such session exists (expired, destroyed, never made).</summary>
    Task<Session?> RenewAsync(string id, CancellationToken cancellationToken);

    /// <summary>The session with this ID, as a list of zero or one (blocking).</summary>
    Task<QueryResult<IReadOnlyList<Session>>> InfoAsync(string id, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>The sessions bound to a node (blocking).</summary>
    Task<QueryResult<IReadOnlyList<Session>>> NodeAsync(string node, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>Every session (blocking).</summary>
    Task<QueryResult<IReadOnlyList<Session>>> ListAsync(QueryOptions options, CancellationToken cancellationToken);
}
