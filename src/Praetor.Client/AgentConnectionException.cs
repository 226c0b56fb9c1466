namespace Praetor.Client;

/// <summary>
/// The request never got an answer (connection refused, name not resolved, reset). The message
/// names the method, URL and address as Go's client does:
/// <c>Get "http://127.0.0.1:8500/v1/kv/foo": dial tcp 127.0.0.1:8500: connect: connection refused</c>.
/// </summary>
public sealed class AgentConnectionException : Exception
{
    public AgentConnectionException()
    {
    }

    public AgentConnectionException(string message)
        : base(message)
    {
    }

    public AgentConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
