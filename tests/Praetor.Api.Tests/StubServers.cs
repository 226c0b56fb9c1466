using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Praetor.Api.Tests;

/// <summary>
/// A listener on 127.0.0.1 port 0 that hands each accepted connection to <see cref="Serve"/>.
/// <see cref="StopAsync"/> closes the listener, so later connections are refused.
/// </summary>
internal abstract class StubServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _loop;

    protected StubServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    protected CancellationTokenSource Stopping { get; } = new();

    /// <summary>Serves one connection; the server disposes it afterwards.</summary>
    protected abstract Task Serve(TcpClient client);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(Stopping.Token);
                _ = ServeAndCloseAsync(client);
            }
        }
        // Stopping races the accept: a stopped listener throws InvalidOperationException.
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task ServeAndCloseAsync(TcpClient client)
    {
        using (client)
        {
            await Serve(client);
        }
    }

    public async Task StopAsync()
    {
        if (Stopping.IsCancellationRequested)
        {
            return;
        }
        await Stopping.CancelAsync();
        _listener.Stop();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _listener.Dispose();
        Stopping.Dispose();
    }
}

/// <summary>
/// A minimal HTTP server on 127.0.0.1 port 0 for HTTP checks to probe: answers every request
/// with <see cref="StatusCode"/> and closes the connection. <see cref="StopAsync"/> closes the
/// listener, so later probes are refused.
/// </summary>
internal sealed class StubHttpServer : StubServer
{
    private int _requests;

    public string Url => $"http://127.0.0.1:{Port}/health";

    public volatile int StatusCode = 200;

    public int Requests => Volatile.Read(ref _requests);

    protected override async Task Serve(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var seen = new StringBuilder();
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, Stopping.Token);
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
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response), Stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }
}

/// <summary>A TCP listener on 127.0.0.1 port 0 that accepts and drops connections, for TCP checks.</summary>
internal sealed class StubTcpServer : StubServer
{
    public string Address => $"127.0.0.1:{Port}";

    protected override Task Serve(TcpClient client) => Task.CompletedTask;
}
