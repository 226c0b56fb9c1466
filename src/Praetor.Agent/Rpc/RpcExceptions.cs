namespace Praetor.Agent.Rpc;

/// <summary>
/// An RPC the server answered with an error: <see cref="Exception.Message"/> is the server's text
/// (as Consul's RPC errors, e.g. "rpc: can't find method X"). A handler throws it to answer with
/// its message; <see cref="RpcClient.CallAsync"/> throws it when the answer is an error.
/// </summary>
public sealed class RpcErrorException(string message) : Exception(message);

/// <summary>
/// An RPC that got no answer: the server could not be reached, the connection was lost before
/// the answer came, or the call timed out. The request may or may not have been carried out,
/// unless <see cref="Unsent"/> says it never left.
/// </summary>
public sealed class RpcUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The connection could not be made, so the request was never sent: sending it elsewhere cannot run it twice.</summary>
    public bool Unsent { get; init; }
}
