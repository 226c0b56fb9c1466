using System.Net;
using System.Net.Sockets;
using System.Text;
using Praetor.Client;

namespace Praetor.Cli.Tests.Client;

/// <summary>
/// <see cref="PraetorClientConfig.DirectRequests"/>: short requests over their own HTTP/1.1
/// connection on the calling thread, against a scripted server that records what it was sent.
/// </summary>
public sealed class DirectRequestsTests : IAsyncDisposable
{
    private const string KeyJson = """[{"Key":"a","Value":"eA==","Flags":0,"CreateIndex":1,"ModifyIndex":2,"LockIndex":0}]""";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<byte[]> _responses = new();
    private readonly List<string> _requests = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public DirectRequestsTests()
    {
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    private string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private PraetorClient Client(string? httpAuth = null) =>
        new(new PraetorClientConfig { Address = Address, DirectRequests = true, Token = "t0k", HttpAuth = httpAuth });

    private void Respond(string response) => _responses.Enqueue(Encoding.ASCII.GetBytes(response));

    private static string Ok(string body, string type = "application/json") =>
        $"HTTP/1.1 200 OK\r\nContent-Type: {type}\r\nX-Consul-Index: 7\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    [Fact]
    public async Task A_read_completes_on_the_calling_thread_with_one_connection_of_its_own()
    {
        Respond(Ok(KeyJson));
        using var client = Client(httpAuth: "u:p");

        var read = client.Kv.GetAsync("a");

        Assert.True(read.IsCompleted, "the request should have completed before GetAsync returned");
        var result = await read;
        Assert.Equal("x", Encoding.UTF8.GetString(result.Response!.Value!));
        Assert.Equal(7UL, result.Meta.LastIndex);
        var request = Assert.Single(_requests);
        Assert.StartsWith("GET /v1/kv/a HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"\r\nHost: {Address}\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Consul-Token: t0k\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nAuthorization: Basic dTpw\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_is_decoded_extensions_and_trailer_included()
    {
        var half = KeyJson.Length / 2;
        Respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
            + $"{half:x};ext=1\r\n{KeyJson[..half]}\r\n{KeyJson.Length - half:X}\r\n{KeyJson[half..]}\r\n0\r\nX-Trailer: 1\r\n\r\n");
        using var client = Client();

        var result = await client.Kv.GetAsync("a");

        Assert.Equal("a", result.Response!.Key);
    }

    [Fact]
    public async Task A_body_without_a_length_runs_to_the_close()
    {
        Respond($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{KeyJson}");
        using var client = Client();

        var result = await client.Kv.GetAsync("a");

        Assert.Equal(2UL, result.Response!.ModifyIndex);
    }

    [Fact]
    public async Task A_write_sends_its_body_with_its_length()
    {
        Respond(Ok("true"));
        using var client = Client();

        Assert.True(await client.Kv.PutAsync("k", "hello"u8.ToArray()));

        var request = Assert.Single(_requests);
        Assert.StartsWith("PUT /v1/kv/k HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 5\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nhello", request, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n[{\"Key\":")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[{\"Ke")]
    public async Task A_truncated_or_malformed_body_is_an_error_not_a_short_answer(string response)
    {
        Respond(response);
        using var client = Client();

        var error = await Record.ExceptionAsync(() => client.Kv.GetAsync("a"));

        Assert.True(error is IOException or HttpRequestException or System.Text.Json.JsonException, $"unexpected {error?.GetType()}: {error?.Message}");
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n")]
    [InlineData("HTTP/1.1 abc OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n")]
    public async Task A_malformed_response_head_is_a_connection_error(string response)
    {
        Respond(response);
        using var client = Client();

        var error = await Assert.ThrowsAsync<AgentConnectionException>(() => client.Kv.GetAsync("a"));

        Assert.StartsWith($"Get \"http://{Address}/v1/kv/a\": ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_reads_as_gos_dial_error()
    {
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        using var client = Client();
        _listener.Stop();

        var error = await Assert.ThrowsAsync<AgentConnectionException>(() => client.Kv.GetAsync("a"));

        Assert.Equal($"Get \"http://127.0.0.1:{port}/v1/kv/a\": dial tcp 127.0.0.1:{port}: connect: connection refused", error.Message);
    }

    [Fact]
    public async Task Cancelling_closes_the_connection_of_a_request_that_gets_no_answer()
    {
        using var client = Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Kv.GetAsync("a", ct: cancel.Token));

        Assert.StartsWith("GET /v1/kv/a HTTP/1.1\r\n", Assert.Single(_requests), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blocking_query_goes_through_the_pooled_stack()
    {
        Respond(Ok(KeyJson));
        using var client = Client();

        await client.Kv.GetAsync("a", new QueryOptions { WaitIndex = 5 });

        var request = Assert.Single(_requests);
        Assert.StartsWith("GET /v1/kv/a?index=5 HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.DoesNotContain("Connection: close", request, StringComparison.Ordinal);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient connection;
            try
            {
                connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            using (connection)
            {
                var stream = connection.GetStream();
                _requests.Add(await ReadRequestAsync(stream));
                if (_responses.Count == 0)
                {
                    // No answer scripted: hold the connection open until the test ends.
                    await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    return;
                }
                await stream.WriteAsync(_responses.Dequeue(), _stop.Token);
            }
        }
    }

    /// <summary>The request head and, after it, as many body bytes as its Content-Length says.</summary>
    private async Task<string> ReadRequestAsync(NetworkStream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.ASCII.GetString([.. received]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var lengthAt = text.IndexOf("Content-Length: ", StringComparison.OrdinalIgnoreCase);
                var length = lengthAt >= 0 && lengthAt < end ? int.Parse(text[(lengthAt + 16)..text.IndexOf('\r', lengthAt)], System.Globalization.CultureInfo.InvariantCulture) : 0;
                if (received.Count >= end + 4 + length)
                {
                    return text;
                }
            }
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return Encoding.ASCII.GetString([.. received]);
            }
            received.AddRange(buffer.AsSpan(0, read));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving;
        _stop.Dispose();
    }
}
