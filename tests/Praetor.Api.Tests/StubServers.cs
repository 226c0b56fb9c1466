using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Praetor.Api.Tests;

/// <summary>
/// A minimal HTTP server on 127.0.0.1 port 0 for HTTP checks to probe: answers every request
/// with <see cref="StatusCode"/> and closes the connection. <see cref="StopAsync"/> closes the
/// listener, so later probes are refused.
/// </summary>
internal sealed class StubHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public StubHttpServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/health";

    public volatile int StatusCode = 200;

    public int Requests => Volatile.Read(ref _requests);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        // Stopping races the accept: a stopped listener throws InvalidOperationException.
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var seen = new StringBuilder();
                while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }
                    seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                Interlocked.Increment(ref _requests);
                var code = StatusCode;
                var reason = code switch { 200 => "OK", 429 => "Too Many Requests", 503 => "Service Unavailable", _ => "Status" };
                var body = $"stub says {code}";
                var response = $"HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _listener.Dispose();
        _stop.Dispose();
    }
}

/// <summary>A TCP listener on 127.0.0.1 port 0 that accepts and drops connections, for TCP checks.</summary>
internal sealed class StubTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public StubTcpServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
        }
        // Stopping races the accept: a stopped listener throws InvalidOperationException.
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _listener.Dispose();
        _stop.Dispose();
    }
}
