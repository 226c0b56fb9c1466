using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Praetor.Client;

/// <summary>
/// Sends requests to one agent: builds <c>/v1/...</c> URLs with the shared query parameters,
/// adds the token, turns transport failures and unexpected statuses into this client's exceptions,
/// and reads the query metadata headers. Safe for concurrent use.
/// </summary>
internal sealed class ApiTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpClient? _direct;
    private readonly AgentAddress _address;
    private readonly string? _token;
    private readonly string? _datacenter;

    /// <param name="direct">Requests that do not wait go through <see cref="DirectHttpHandler"/> (see <see cref="PraetorClientConfig.DirectRequests"/>); ignored with a <paramref name="handler"/>.</param>
    public ApiTransport(AgentAddress address, string? token, string? datacenter, string? httpAuth, HttpMessageHandler? handler, bool direct = false)
    {
        _address = address;
        _token = token;
        _datacenter = datacenter;
        _http = CreateClient(handler ?? CreateHandler(address), httpAuth);
        if (direct && handler is null)
        {
            _direct = CreateClient(new DirectHttpHandler(address), httpAuth);
        }
    }

    public AgentAddress Address => _address;

    public void Dispose()
    {
        _http.Dispose();
        _direct?.Dispose();
    }

    private static HttpClient CreateClient(HttpMessageHandler handler, string? httpAuth)
    {
        var client = new HttpClient(handler, disposeHandler: true)
        {
            // Blocking queries wait up to ten minutes; callers bound requests with their CancellationToken.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (!string.IsNullOrEmpty(httpAuth))
        {
            client.DefaultRequestHeaders.Authorization =
                new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(httpAuth)));
        }
        return client;
    }

    /// <summary>Sends a request; the caller owns (and disposes) the response.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, ApiQuery query, HttpContent? body, string? token, CancellationToken ct)
    {
        var uri = new Uri(_address.BaseUri, "v1/" + path + query.ToQueryString(_datacenter));
        using var request = new HttpRequestMessage(method, uri) { Content = body };
        var effectiveToken = string.IsNullOrEmpty(token) ? _token : token;
        if (!string.IsNullOrEmpty(effectiveToken))
        {
            request.Headers.TryAddWithoutValidation("X-Consul-Token", effectiveToken);
        }

        try
        {
            var http = _direct is not null && !query.IsBlocking && DirectHttpHandler.CanSend(_address, request) ? _direct : _http;
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw new AgentConnectionException($"{GoMethodName(method)} \"{uri}\": {DescribeFailure(uri, e)}", e);
        }
    }

    /// <summary>Throws <see cref="ApiStatusException"/> unless the status is 200 or <paramref name="alsoAccepted"/>.</summary>
    public static async Task EnsureStatusAsync(HttpResponseMessage response, CancellationToken ct, HttpStatusCode alsoAccepted = HttpStatusCode.OK)
    {
        if (response.StatusCode == HttpStatusCode.OK || response.StatusCode == alsoAccepted)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        throw new ApiStatusException((int)response.StatusCode, body.Trim());
    }

    /// <summary>Reads <c>X-Consul-Index</c>, <c>X-Consul-LastContact</c> and <c>X-Consul-KnownLeader</c>.</summary>
    public static QueryMeta ReadQueryMeta(HttpResponseMessage response, long startTimestamp)
    {
        var headers = response.Headers;
        return new QueryMeta
        {
            LastIndex = ulong.TryParse(Header(headers, "X-Consul-Index"), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : 0,
            LastContact = ulong.TryParse(Header(headers, "X-Consul-LastContact"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? TimeSpan.FromMilliseconds(ms)
                : TimeSpan.Zero,
            KnownLeader = Header(headers, "X-Consul-KnownLeader") == "true",
            RequestTime = Stopwatch.GetElapsedTime(startTimestamp),
        };
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static SocketsHttpHandler CreateHandler(AgentAddress address)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        if (address.UnixSocketPath is { } socketPath)
        {
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }

    // Go's net/http names the method as "Get", "Put", "Delete" in its errors.
    private static string GoMethodName(HttpMethod method) =>
        method.Method.Length == 0 ? method.Method : method.Method[0] + method.Method[1..].ToLowerInvariant();

    private static string DescribeFailure(Uri uri, HttpRequestException e)
    {
        var dial = $"dial tcp {uri.Authority}";
        return e.InnerException is SocketException socket
            ? socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"{dial}: connect: connection refused",
                SocketError.HostNotFound or SocketError.NoData => $"{dial}: lookup {uri.Host}: no such host",
                SocketError.TimedOut => $"{dial}: i/o timeout",
                _ => $"{dial}: {socket.Message}",
            }
            : e.Message;
    }
}
