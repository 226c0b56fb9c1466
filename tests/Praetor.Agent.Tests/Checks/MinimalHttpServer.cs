using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Praetor.Agent.Tests.Checks;

/// <summary>A request as the server received it off the wire.</summary>
public sealed record ReceivedRequest(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);
}

/// <summary>
/// Speaks just enough HTTP/1.1 on 127.0.0.1 (a port of its own) to answer checks with a chosen
/// status and body and to record exactly what each request carried. With <c>hang</c> it accepts
/// and never answers.
/// </summary>
public sealed class MinimalHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly int _statusCode;
    private readonly string _reason;
    private readonly string _body;
    private readonly bool _hang;
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<TcpClient> _clients = [];

    public MinimalHttpServer(int statusCode = 200, string reason = "OK", string body = "", bool hang = false)
    {
        _statusCode = statusCode;
        _reason = reason;
        _body = body;
        _hang = hang;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public string Url(string path = "/") => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            _clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.Latin1);
            var requestLine = await reader.ReadLineAsync(_stopping.Token) ?? "";
            var parts = requestLine.Split(' ');
            var headers = new List<KeyValuePair<string, string>>();
            string? line;
            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(_stopping.Token)))
            {
                var colon = line.IndexOf(':');
                headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
            }
            var contentLength = headers.Where(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                .Select(h => int.Parse(h.Value)).FirstOrDefault();
            var body = new char[contentLength];
            if (contentLength > 0)
            {
                // Not for an empty body: StreamReader would wait for bytes that never come.
                await reader.ReadBlockAsync(body, _stopping.Token);
            }
            Requests.Enqueue(new ReceivedRequest(parts[0], parts.Length > 1 ? parts[1] : "", headers, new string(body)));

            if (_hang)
            {
                await Task.Delay(Timeout.Infinite, _stopping.Token);
            }
            var bodyBytes = Encoding.UTF8.GetBytes(_body);
            var head = $"HTTP/1.1 {_statusCode} {_reason}\r\nContent-Type: text/plain\r\nContent-Length: {bodyBytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head), _stopping.Token);
            await stream.WriteAsync(bodyBytes, _stopping.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }
}
