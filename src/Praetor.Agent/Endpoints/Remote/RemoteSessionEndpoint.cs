using Praetor.State.Sessions;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>A client agent's session endpoint: reads by RPC to a server, writes through <paramref name="writes"/>.</summary>
/// <param name="writes">The local endpoint, whose log forwards each write to the leader.</param>
public sealed class RemoteSessionEndpoint(EndpointRpcClient rpc, SessionEndpoint writes) : ISessionEndpoint
{
    /// <inheritdoc/>
    public Task<string> CreateAsync(Session session, CancellationToken cancellationToken) => writes.CreateAsync(session, cancellationToken);

    /// <inheritdoc/>
    public Task DestroyAsync(string id, CancellationToken cancellationToken) => writes.DestroyAsync(id, cancellationToken);

    /// <inheritdoc/>
    public async Task<Session?> RenewAsync(string id, CancellationToken cancellationToken)
    {
        // A client holds no state: renew through the log, then read the session from a server.
        if (!await writes.RenewInLogAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var found = await InfoAsync(id, new QueryOptions(Consistency: ConsistencyMode.Consistent), cancellationToken).ConfigureAwait(false);
        return found.Value.Count > 0 ? found.Value[0] : null;
    }

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<Session>>> InfoAsync(string id, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.SessionGet, (id, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<Session>>> NodeAsync(string node, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.SessionNode, (node, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<Session>>> ListAsync(QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.SessionList, options, options, cancellationToken);
}
