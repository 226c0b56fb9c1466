namespace Praetor.Agent.Endpoints.Remote;

/// <summary>
/// The transport a client agent's endpoints call a server through: one request, one response.
/// The agent implements it over its RPC connection pool (picking a server); tests dispatch in
/// process to handlers registered by <see cref="EndpointRpcHandlers.Register"/>.
/// </summary>
public interface IServerRpc
{
    /// <summary>
    /// Sends <paramref name="body"/> to a server's handler of <paramref name="method"/> and returns
    /// its response body; fails when no answer came within <paramref name="timeout"/> (which a
    /// blocking query sets beyond its wait, as the server holds the answer that long).
    /// </summary>
    Task<byte[]> CallAsync(string method, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken);
}
