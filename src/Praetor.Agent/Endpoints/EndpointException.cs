namespace Praetor.Agent.Endpoints;

/// <summary>A request the endpoint layer refuses; the HTTP API answers 400, 404 or 500 by <see cref="Kind"/>, with the message as text.</summary>
public sealed class EndpointException(EndpointErrorKind kind, string message) : Exception(message)
{
    public EndpointErrorKind Kind { get; } = kind;

    public static EndpointException BadRequest(string message) => new(EndpointErrorKind.BadRequest, message);

    public static EndpointException NotFound(string message) => new(EndpointErrorKind.NotFound, message);
}

public enum EndpointErrorKind
{
    BadRequest,
    NotFound,
    Failed,
}
