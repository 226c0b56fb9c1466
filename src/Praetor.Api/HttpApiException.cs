namespace Praetor.Api;

/// <summary>A request the API refuses: answered with <see cref="StatusCode"/> and the message as plain text.</summary>
public sealed class HttpApiException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static HttpApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static HttpApiException TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, message);
}
