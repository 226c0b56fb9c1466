namespace Praetor.Client;

/// <summary>
/// The agent answered with a status the call does not expect. The message is Go's
/// <c>Unexpected response code: 500 (body)</c>, which scripts and retry logic match on.
/// </summary>
public sealed class ApiStatusException : Exception
{
    public ApiStatusException()
    {
    }

    public ApiStatusException(string message)
        : base(message)
    {
    }

    public ApiStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ApiStatusException(int statusCode, string body)
        : base($"Unexpected response code: {statusCode} ({body})")
    {
        StatusCode = statusCode;
        Body = body;
    }

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>The response body, trimmed (the agent's plain-text reason).</summary>
    public string Body { get; } = string.Empty;
}
