using MessagePack;
using Praetor.Agent.Cluster;
using Praetor.Agent.Endpoints;
using Praetor.Agent.Endpoints.Remote;
using Praetor.Raft;
using Praetor.State;
using Praetor.State.Commands;
using Praetor.State.Kv;

namespace Praetor.Agent.Tests.Endpoints;

/// <summary>Refusals travel from server to client with their type and kind; malformed bodies either way are clear errors.</summary>
public sealed class RemoteEndpointErrorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Without_a_leader_default_and_consistent_reads_fail_on_the_client_as_on_the_server_and_stale_reads_answer()
    {
        await using var f = new RemoteEndpointFixture(new NoLeaderLog());
        var ct = CancellationToken.None;
        foreach (var consistency in new[] { ConsistencyMode.Default, ConsistencyMode.Consistent })
        {
            var options = new QueryOptions(Consistency: consistency);
            var local = await Assert.ThrowsAsync<NotLeaderException>(() => f.Kv.GetAsync("k", options, ct));
            foreach (var read in f.RemoteReads(options).SkipLast(4))
            {
                var remote = await Assert.ThrowsAsync<NotLeaderException>(read);
                Assert.Equal(local.Message, remote.Message);
            }
        }
        var stale = await f.RemoteKv.GetAsync("k", new QueryOptions(Consistency: ConsistencyMode.Stale), ct);
        Assert.Null(stale.Value);
        Assert.False(stale.Meta.KnownLeader);
        Assert.Equal(ConsistencyMode.Stale, stale.Meta.Consistency);
        Assert.Equal("", await f.RemoteStatus.LeaderAsync(ct));
        Assert.Empty(await f.RemoteStatus.PeersAsync(ct));
    }

    [Theory]
    [InlineData(EndpointErrorKind.BadRequest)]
    [InlineData(EndpointErrorKind.NotFound)]
    [InlineData(EndpointErrorKind.Failed)]
    public async Task An_endpoint_refusal_reaches_the_client_with_its_kind_and_message(EndpointErrorKind kind)
    {
        await using var f = new RemoteEndpointFixture(kv: local => new RefusingKv(new EndpointException(kind, $"refused: {kind}"), local));

        var refused = await Assert.ThrowsAsync<EndpointException>(() => f.RemoteKv.GetAsync("k", new QueryOptions(), CancellationToken.None));

        Assert.Equal(kind, refused.Kind);
        Assert.Equal($"refused: {kind}", refused.Message);
    }

    [Fact]
    public async Task A_not_leader_refusal_names_the_leader_on_the_client_as_on_the_server()
    {
        await using var f = new RemoteEndpointFixture(kv: local => new RefusingKv(new NotLeaderException("not the leader; the leader is 10.0.0.1:8300"), local));

        var refused = await Assert.ThrowsAsync<NotLeaderException>(() => f.RemoteKv.ListAsync("", new QueryOptions(), CancellationToken.None));

        Assert.Equal("not the leader; the leader is 10.0.0.1:8300", refused.Message);
    }

    [Fact]
    public async Task The_txn_read_handler_refuses_an_operation_that_writes_and_writes_nothing()
    {
        await using var f = new RemoteEndpointFixture();
        var request = EndpointRpcMethods.TxnRead.EncodeRequest(([new KvOperation(KvVerb.Get, "a"), new KvOperation(KvVerb.Set, "a", [1])], ConsistencyMode.Default));

        var response = await f.Rpc.Handle("Txn.Read", request);

        var refused = Assert.Throws<EndpointException>(() => EndpointRpcMethods.TxnRead.DecodeResponse(response));
        Assert.Equal(EndpointErrorKind.Failed, refused.Kind);
        Assert.Equal("malformed Txn.Read request: a read-only transaction has an operation that writes", refused.Message);
        Assert.Null(f.Store.Current.Kv.Get("a"));
    }

    [Fact]
    public async Task Every_handler_answers_garbage_truncated_and_mutated_requests_with_a_clear_error_and_never_throws()
    {
        // Mutated requests may decode to a blocking query: a short maximum query time ends each soon.
        await using var f = new RemoteEndpointFixture(maxQueryTime: TimeSpan.FromMilliseconds(20));
        foreach (var call in f.RemoteReads(new QueryOptions(MinIndex: 1)).Concat(f.RemoteOperations()))
        {
            await call();
        }
        Assert.Equal(26, f.Rpc.Methods.Count);
        // They share the server's RPC with the cluster's own methods; the bootstrap check asks Status.ListPeers.
        Assert.Empty(f.Rpc.Methods.Intersect([ForwardingLog.ApplyMethod, ForwardingLog.ReadIndexMethod]));
        Assert.Contains(EndpointRpcMethods.StatusPeers.Name, f.Rpc.Methods);
        Assert.Equal(f.Rpc.Methods.Order(), f.Rpc.Requests.Keys.Order());
        var random = new Random(6);
        foreach (var (method, valid) in f.Rpc.Requests)
        {
            // A read refuses only what it cannot decode; an operator or snapshot call may refuse what it decodes (no such peer or
            // transfer), and a mutated coordinate update may decode to a well-formed one that the endpoint's checks refuse.
            var refuses = method.StartsWith("Operator.", StringComparison.Ordinal) || method.StartsWith("Snapshot.", StringComparison.Ordinal)
                || method == EndpointRpcMethods.CoordinateUpdate.Name;
            for (var length = 0; length < valid.Length; length++)
            {
                AssertMalformedRequest(method, await f.Rpc.Handle(method, valid.AsMemory(0, length)).WaitAsync(Deadline));
            }
            for (var i = 0; i < 200; i++)
            {
                var garbage = new byte[random.Next(0, 64)];
                random.NextBytes(garbage);
                AssertEnvelope(method, await f.Rpc.Handle(method, garbage).WaitAsync(Deadline), refuses);
            }
            for (var at = 0; at < valid.Length; at++)
            {
                var mutated = valid.ToArray();
                mutated[at] = (byte)random.Next(256);
                AssertEnvelope(method, await f.Rpc.Handle(method, mutated).WaitAsync(Deadline), refuses);
            }
            AssertMalformedRequest(method, await f.Rpc.Handle(method, (byte[])[.. valid, 0xc0]).WaitAsync(Deadline));
        }
    }

    [Fact]
    public async Task The_client_reports_a_garbage_or_truncated_response_as_a_failed_read_naming_the_method()
    {
        await using var f = new RemoteEndpointFixture();
        var random = new Random(7);
        var reads = f.RemoteReads(new QueryOptions());
        foreach (var read in reads)
        {
            f.Rpc.RewriteResponse = null;
            await read();
            foreach (var cut in new Func<byte[], byte[]>[] { r => [], r => r[..1], r => r[..(r.Length / 2)], r => r[..^1], r => [.. r, 0xc0] })
            {
                f.Rpc.RewriteResponse = cut;
                var refused = await Assert.ThrowsAsync<EndpointException>(read);
                Assert.Equal(EndpointErrorKind.Failed, refused.Kind);
                Assert.Matches(@"^malformed [A-Za-z]+\.[A-Za-z]+ response from the server: ", refused.Message);
            }
            for (var i = 0; i < 100; i++)
            {
                var garbage = new byte[random.Next(0, 48)];
                random.NextBytes(garbage);
                f.Rpc.RewriteResponse = _ => garbage;
                // Garbage may by chance be a well-formed refusal; anything else is a failed read.
                var refused = await Record.ExceptionAsync(read);
                Assert.True(refused is EndpointException or NotLeaderException, refused?.ToString() ?? "garbage decoded as a result");
            }
        }
    }

    [Fact]
    public async Task A_garbage_or_truncated_snapshot_restored_through_the_client_is_the_servers_400_and_changes_nothing()
    {
        await using var f = new RemoteEndpointFixture();
        var ct = CancellationToken.None;
        await f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "k", "v"u8.ToArray()), ct);
        var (archive, _) = await f.Snapshot.SaveAsync(ConsistencyMode.Default, ct);
        await f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "k", "after"u8.ToArray()), ct);
        var before = f.Store.Current;
        var garbage = new byte[1000];
        new Random(8).NextBytes(garbage);

        foreach (var bad in new[] { garbage, archive[..(archive.Length / 2)], [], [.. archive[..(archive.Length / 2)], .. garbage[..50], .. archive[(archive.Length / 2 + 50)..]] })
        {
            var local = await Assert.ThrowsAsync<EndpointException>(() => f.Snapshot.RestoreAsync(bad, ct));
            var remote = await Assert.ThrowsAsync<EndpointException>(() => f.RemoteSnapshot.RestoreAsync(bad, ct));

            Assert.Equal(EndpointErrorKind.BadRequest, remote.Kind);
            Assert.Equal(local.Message, remote.Message);
            Assert.Same(before, f.Store.Current);
        }
    }

    [Fact]
    public async Task Snapshot_chunks_out_of_order_or_for_an_unknown_transfer_are_refused_and_the_transfer_goes_on()
    {
        await using var f = new RemoteEndpointFixture();
        var ct = CancellationToken.None;
        var (archive, _) = await f.Snapshot.SaveAsync(ConsistencyMode.Default, ct);
        var restore = EndpointRpcMethods.SnapshotRestore;
        async Task<ulong> Send(ulong transfer, int offset, int count, int? length = null) =>
            restore.DecodeResponse(await f.Rpc.Handle(restore.Name, restore.EncodeRequest((transfer, (length ?? archive.Length, offset), archive.AsMemory(offset, count)))));

        var id = await Send(0, 0, 100);
        Assert.NotEqual(0UL, id);
        foreach (var (transfer, offset, count, length, message) in new (ulong, int, int, int?, string)[]
        {
            (id, 200, 100, null, $"snapshot transfer {id}: expected a chunk at offset 100 of {archive.Length} bytes, got 100 bytes at offset 200 of {archive.Length}"),
            (id, 100, 100, archive.Length + 1, $"snapshot transfer {id}: expected a chunk at offset 100 of {archive.Length} bytes, got 100 bytes at offset 100 of {archive.Length + 1}"),
            (id ^ 1, 100, 100, null, $"unknown snapshot transfer {id ^ 1}: it ended, was idle for over 60 s, or was begun on another server"),
            (0, 100, 100, null, $"snapshot transfer: a first chunk of 100 bytes at offset 100 does not start an archive of {archive.Length} bytes"),
            (0, 0, 100, SnapshotArchive.ArchiveMaxBytes + 1, $"snapshot archive is larger than {SnapshotArchive.ArchiveMaxBytes} bytes"),
        })
        {
            var refused = await Assert.ThrowsAsync<EndpointException>(() => Send(transfer, offset, count, length));
            Assert.Equal(message, refused.Message);
        }
        var read = EndpointRpcMethods.SnapshotRead;
        var unread = await f.Rpc.Handle(read.Name, read.EncodeRequest((id, 100)));
        var unknown = Assert.Throws<EndpointException>(() => read.DecodeResponse(unread));
        Assert.StartsWith($"unknown snapshot transfer {id}", unknown.Message, StringComparison.Ordinal);

        // The refusals left the transfer where it was: the rest completes it and restores.
        var offsetNow = 100;
        while (offsetNow < archive.Length)
        {
            var count = Math.Min(100, archive.Length - offsetNow);
            Assert.Equal(offsetNow + count < archive.Length ? id : 0UL, await Send(id, offsetNow, count));
            offsetNow += count;
        }
        Assert.Equal(1, f.Store.Replacements);
    }

    [Fact]
    public async Task The_client_refuses_a_forged_snapshot_transfer_from_the_server_with_a_clear_error()
    {
        await using var f = new RemoteEndpointFixture();
        var save = EndpointRpcMethods.SnapshotSave;
        var meta = new QueryMeta(1, true, TimeSpan.Zero, ConsistencyMode.Default);
        foreach (var (length, transfer, chunk) in new (int, ulong, byte[])[]
        {
            (SnapshotArchive.ArchiveMaxBytes + 1, 1, new byte[10]),
            (5, 0, new byte[10]),
            (20, 0, new byte[10]),
        })
        {
            var forged = await save.Handler((_, _) => Task.FromResult((meta, (length, transfer, (ReadOnlyMemory<byte>)chunk))))(save.EncodeRequest(ConsistencyMode.Default), CancellationToken.None);
            f.Rpc.RewriteResponse = _ => forged;

            var refused = await Assert.ThrowsAsync<EndpointException>(() => f.RemoteSnapshot.SaveAsync(ConsistencyMode.Default, CancellationToken.None));

            Assert.Equal(EndpointErrorKind.Failed, refused.Kind);
            Assert.StartsWith("malformed snapshot transfer from the server: ", refused.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A response is an envelope: a result, or a refusal with a message; a malformed request is
    /// refused as such, and only a method that <paramref name="refuses"/> refuses anything else.
    /// </summary>
    private static void AssertEnvelope(string method, byte[] response, bool refuses)
    {
        var reader = new MessagePackReader(response);
        Assert.Equal(2, reader.ReadArrayHeader());
        var status = reader.ReadByte();
        if (status == 0)
        {
            return;
        }
        var message = reader.ReadString();
        if (refuses)
        {
            Assert.InRange(status, 1, 4);
            Assert.False(string.IsNullOrEmpty(message));
        }
        else
        {
            Assert.Equal(3, status);
            Assert.StartsWith($"malformed {method} request: ", message);
        }
    }

    private static void AssertMalformedRequest(string method, byte[] response)
    {
        var reader = new MessagePackReader(response);
        Assert.Equal(2, reader.ReadArrayHeader());
        Assert.Equal(3, reader.ReadByte());
        Assert.StartsWith($"malformed {method} request: ", reader.ReadString());
        Assert.True(reader.End);
    }

    /// <summary>A server KV endpoint whose reads all refuse with <paramref name="refusal"/>.</summary>
    private sealed class RefusingKv(Exception refusal, IKvEndpoint writes) : IKvEndpoint
    {
        public Task<QueryResult<KvEntry?>> GetAsync(string key, QueryOptions options, CancellationToken cancellationToken) =>
            Task.FromException<QueryResult<KvEntry?>>(refusal);

        public Task<QueryResult<IReadOnlyList<KvEntry>>> ListAsync(string prefix, QueryOptions options, CancellationToken cancellationToken) =>
            Task.FromException<QueryResult<IReadOnlyList<KvEntry>>>(refusal);

        public Task<QueryResult<IReadOnlyList<string>>> KeysAsync(string prefix, string? separator, QueryOptions options, CancellationToken cancellationToken) =>
            Task.FromException<QueryResult<IReadOnlyList<string>>>(refusal);

        public Task<TxnResult> WriteAsync(KvOperation operation, CancellationToken cancellationToken) => writes.WriteAsync(operation, cancellationToken);
    }
}
