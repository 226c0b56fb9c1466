using System.Net;
using System.Text;

namespace Praetor.Cli.Tests.Client;

/// <summary>Answers every request with a canned response and remembers the requests it saw.</summary>
public sealed class StubHandler : HttpMessageHandler
{
    private readonly HttpStatusCode _status;
    private readonly string _body;
    private readonly Dictionary<string, string> _headers;

    public StubHandler(HttpStatusCode status, string body, Dictionary<string, string>? headers = null)
    {
        _status = status;
        _body = body;
        _headers = headers ?? [];
    }

    public List<HttpRequestMessage> Requests { get; } = [];

    public List<byte[]> Bodies { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        Bodies.Add(request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken));
        var response = new HttpResponseMessage(_status) { Content = new StringContent(_body, Encoding.UTF8) };
        foreach (var (name, value) in _headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }
}
