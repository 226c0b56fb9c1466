using System.Net;
using System.Text;
using Praetor.Agent.Rpc;
using Praetor.Raft.Transport;

namespace Praetor.Agent.Tests.Rpc;

/// <summary>The agent RPC between an <see cref="RpcClient"/> and an <see cref="RpcServer"/> behind a <see cref="ServerPortListener"/> on 127.0.0.1.</summary>
public sealed class RpcTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly List<ServerPortListener> _listeners = [];
    private readonly List<RpcClient> _clients = [];
    private readonly RpcServer _server = new();
    private ServerPortListener _listener = null!;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _blocked;

    public Task InitializeAsync()
    {
        _server.Register("Test.Echo", (body, _) => Task.FromResult(body.ToArray()));
        _server.Register("Test.Upper", (body, _) => Task.FromResult(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body.Span).ToUpperInvariant())));
        _server.Register("Test.Refuse", (_, _) => throw new RpcErrorException("Permission denied"));
        _server.Register("Test.Crash", (_, _) => throw new InvalidOperationException("secret internals"));
        _server.Register("Test.Block", async (body, ct) =>
        {
            Interlocked.Increment(ref _blocked);
            await _release.Task.WaitAsync(ct);
            return body.ToArray();
        });
        _listener = StartListener(new IPEndPoint(IPAddress.Loopback, 0));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        foreach (var client in _clients) await client.DisposeAsync();
        foreach (var listener in _listeners) await listener.DisposeAsync();
    }

    private ServerPortListener StartListener(IPEndPoint bind)
    {
        var listener = new ServerPortListener(bind);
        listener.Register(ServerConnectionType.Rpc, _server.ServeAsync);
        listener.Start();
        _listeners.Add(listener);
        return listener;
    }

    private RpcClient NewClient()
    {
        var client = new RpcClient();
        _clients.Add(client);
        return client;
    }

    private string Address => _listener.LocalEndPoint.ToString();

    [Fact]
    public async Task A_call_returns_the_handlers_response()
    {
        var client = NewClient();

        var response = await client.CallAsync(Address, "Test.Upper", "hello"u8.ToArray(), Timeout, CancellationToken.None);

        Assert.Equal("HELLO", Encoding.UTF8.GetString(response));
        Assert.Empty(await client.CallAsync(Address, "Test.Echo", Array.Empty<byte>(), Timeout, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_calls_share_one_connection_and_each_gets_its_own_answer()
    {
        var client = NewClient();

        var calls = Enumerable.Range(0, 200).Select(i => client.CallAsync(Address, "Test.Echo", BitConverter.GetBytes(i), Timeout, CancellationToken.None)).ToArray();
        var responses = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 200), responses.Select(r => BitConverter.ToInt32(r)));
        Assert.Equal(1, _server.ConnectionsServed);
    }

    [Fact]
    public async Task A_slow_call_does_not_hold_up_later_calls_on_the_same_connection()
    {
        var client = NewClient();

        var slow = client.CallAsync(Address, "Test.Block", "slow"u8.ToArray(), Timeout, CancellationToken.None);
        await WaitUntil(() => Volatile.Read(ref _blocked) == 1);
        var fast = await client.CallAsync(Address, "Test.Echo", "fast"u8.ToArray(), Timeout, CancellationToken.None);

        Assert.Equal("fast"u8.ToArray(), fast);
        Assert.False(slow.IsCompleted);
        _release.SetResult();
        Assert.Equal("slow"u8.ToArray(), await slow);
    }

    [Fact]
    public async Task An_unknown_method_is_answered_with_Consuls_error()
    {
        var client = NewClient();

        var error = await Assert.ThrowsAsync<RpcErrorException>(() => client.CallAsync(Address, "KVS.Nope", Array.Empty<byte>(), Timeout, CancellationToken.None));

        Assert.Equal("rpc: can't find method KVS.Nope", error.Message);
    }

    [Fact]
    public async Task A_handlers_RpcErrorException_is_the_callers_error_and_other_exceptions_are_hidden()
    {
        var client = NewClient();

        var refused = await Assert.ThrowsAsync<RpcErrorException>(() => client.CallAsync(Address, "Test.Refuse", Array.Empty<byte>(), Timeout, CancellationToken.None));
        var crashed = await Assert.ThrowsAsync<RpcErrorException>(() => client.CallAsync(Address, "Test.Crash", Array.Empty<byte>(), Timeout, CancellationToken.None));

        Assert.Equal("Permission denied", refused.Message);
        Assert.Contains("internal error in Test.Crash", crashed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", crashed.Message, StringComparison.Ordinal);
        // The connection survives both.
        Assert.Equal("ok"u8.ToArray(), await client.CallAsync(Address, "Test.Echo", "ok"u8.ToArray(), Timeout, CancellationToken.None));
    }

    [Fact]
    public async Task A_request_larger_than_a_frame_is_an_error_naming_the_limit_and_is_not_sent()
    {
        var client = NewClient();
        Assert.Equal("a"u8.ToArray(), await client.CallAsync(Address, "Test.Echo", "a"u8.ToArray(), Timeout, CancellationToken.None));

        var refused = await Assert.ThrowsAsync<RpcErrorException>(() =>
            client.CallAsync(Address, "Test.Echo", new byte[WireFrame.PayloadBytesMax], Timeout, CancellationToken.None));

        Assert.Equal($"rpc: Test.Echo to {Address} not sent: a request of {WireFrame.PayloadBytesMax} bytes exceeds the {WireFrame.PayloadBytesMax}-byte frame limit", refused.Message);
        Assert.Equal("b"u8.ToArray(), await client.CallAsync(Address, "Test.Echo", "b"u8.ToArray(), Timeout, CancellationToken.None));
    }

    [Fact]
    public async Task A_call_without_an_answer_in_time_fails_as_unavailable_and_the_connection_stays_usable()
    {
        var client = NewClient();

        var error = await Assert.ThrowsAsync<RpcUnavailableException>(() => client.CallAsync(Address, "Test.Block", Array.Empty<byte>(), TimeSpan.FromMilliseconds(200), CancellationToken.None));

        Assert.Contains("Test.Block", error.Message, StringComparison.Ordinal);
        Assert.Contains(Address, error.Message, StringComparison.Ordinal);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        Assert.Equal("ok"u8.ToArray(), await client.CallAsync(Address, "Test.Echo", "ok"u8.ToArray(), Timeout, CancellationToken.None));
        Assert.Equal(1, _server.ConnectionsServed);
    }

    [Fact]
    public async Task The_callers_cancellation_is_a_cancellation_not_an_unavailable_server()
    {
        var client = NewClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CallAsync(Address, "Test.Block", Array.Empty<byte>(), Timeout, cancel.Token));
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_unavailable_naming_address_and_method()
    {
        var client = NewClient();
        var address = _listener.LocalEndPoint.ToString();
        await _listener.DisposeAsync();

        var error = await Assert.ThrowsAsync<RpcUnavailableException>(() => client.CallAsync(address, "Status.Ping", Array.Empty<byte>(), Timeout, CancellationToken.None));

        Assert.Contains("Status.Ping", error.Message, StringComparison.Ordinal);
        Assert.Contains(address, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RpcUnavailableException>(() => client.CallAsync("not-an-address", "Status.Ping", Array.Empty<byte>(), Timeout, CancellationToken.None));
    }

    [Fact]
    public async Task A_lost_connection_fails_its_pending_calls_and_the_next_call_dials_the_restarted_server()
    {
        var client = NewClient();
        var endpoint = _listener.LocalEndPoint;
        var pending = client.CallAsync(Address, "Test.Block", Array.Empty<byte>(), Timeout, CancellationToken.None);
        await WaitUntil(() => Volatile.Read(ref _blocked) == 1);

        await _listener.DisposeAsync();
        var lost = await Assert.ThrowsAsync<RpcUnavailableException>(() => pending);
        Assert.Contains("connection lost", lost.Message, StringComparison.Ordinal);

        _listener = StartListener(endpoint);
        var response = await client.CallAsync(endpoint.ToString(), "Test.Echo", "again"u8.ToArray(), Timeout, CancellationToken.None);
        Assert.Equal("again"u8.ToArray(), response);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 2, 0xc1, 0xc1 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff })]
    [InlineData(new byte[] { 0, 0, 0, 9, 1 })]
    public async Task A_server_answering_garbage_fails_the_call_as_unavailable(byte[] answer)
    {
        using var fake = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        fake.Start();
        var address = fake.LocalEndpoint.ToString()!;
        var serving = Task.Run(async () =>
        {
            using var socket = await fake.AcceptSocketAsync();
            var request = new byte[256];
            await socket.ReceiveAsync(request);
            await socket.SendAsync(answer);
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            while (await socket.ReceiveAsync(request) > 0)
            {
            }
        });
        var client = NewClient();

        var error = await Assert.ThrowsAsync<RpcUnavailableException>(() => client.CallAsync(address, "Test.Echo", "x"u8.ToArray(), Timeout, CancellationToken.None));

        Assert.Contains("connection lost", error.Message, StringComparison.Ordinal);
        await client.DisposeAsync();
        await serving.WaitAsync(Timeout);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting for a condition");
            await Task.Delay(5);
        }
    }
}
