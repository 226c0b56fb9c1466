using System.Text.Json;
using Praetor.Client;
using Praetor.Client.Kv;

namespace Praetor.Cli.Locking;

/// <summary>
/// A semaphore of <c>limit</c> holders under a prefix, as Go's <c>api.Semaphore</c>: each contender
/// acquires <c>prefix/&lt;session&gt;</c> with its session, then enters the holder set kept in
/// <c>prefix/.lock</c> as <c>{"Limit":N,"Holders":{"&lt;session&gt;":true}}</c>, written by check-and-set;
/// holders whose contender key lost its session are pruned by whoever writes next.
/// </summary>
internal sealed class KeySemaphore : IContendedLock
{
    /// <summary>The flags Go's <c>api.Semaphore</c> marks its keys with (<c>SemaphoreFlagValue</c>).</summary>
    public const ulong Flags = 0xe0f69a2baa414de0;

    private readonly PraetorClient _client;
    private readonly string _prefix;
    private readonly string _lockKey;
    private readonly string _contenderKey;
    private readonly string _session;
    private readonly int _limit;

    public KeySemaphore(PraetorClient client, string prefix, string session, int limit)
    {
        _client = client;
        _prefix = prefix + "/";
        _lockKey = prefix + "/.lock";
        _contenderKey = prefix + "/" + session;
        _session = session;
        _limit = limit;
    }

    /// <inheritdoc/>
    public async Task AcquireAsync(CancellationToken ct)
    {
        if (!await _client.Kv.AcquireAsync(_contenderKey, ReadOnlyMemory<byte>.Empty, _session, Flags, ct: ct))
        {
            throw new LockSetupException("failed to make contender entry");
        }

        ulong index = 0;
        while (true)
        {
            var (entries, meta) = await _client.Kv.ListAsync(_prefix, new QueryOptions { WaitIndex = index, WaitTime = LockWait.RetryTime }, ct);
            var (lockEntry, holders) = Read(entries);
            if (holders.Count < _limit)
            {
                holders.Add(_session);
                if (await _client.Kv.CasAsync(_lockKey, Encode(holders), lockEntry?.ModifyIndex ?? 0, Flags, ct: ct))
                {
                    return;
                }

                index = 0;
                continue;
            }

            index = meta.LastIndex;
        }
    }

    /// <inheritdoc/>
    public Task MonitorAsync(int retries, CancellationToken ct) =>
        LockWait.WhileAsync((options, token) => _client.Kv.ListAsync(_prefix, options, token), retries, Held, ct);

    /// <inheritdoc/>
    public string NotHeld => "Semaphore not held";

    /// <inheritdoc/>
    public async Task ReleaseAsync()
    {
        while (true)
        {
            var entries = (await _client.Kv.ListAsync(_prefix)).Response;
            var (lockEntry, holders) = Read(entries);
            if (lockEntry is null)
            {
                break;
            }

            holders.Remove(_session);
            var written = holders.Count == 0
                ? await _client.Kv.DeleteCasAsync(_lockKey, lockEntry.ModifyIndex)
                : await _client.Kv.CasAsync(_lockKey, Encode(holders), lockEntry.ModifyIndex, Flags);
            if (written)
            {
                break;
            }
        }

        await _client.Kv.DeleteAsync(_contenderKey);
    }

    private bool Held(IReadOnlyList<KvEntry> entries)
    {
        var contender = entries.FirstOrDefault(e => e.Key == _contenderKey);
        if (contender?.Session != _session)
        {
            return false;
        }

        var lockEntry = entries.FirstOrDefault(e => e.Key == _lockKey);
        return lockEntry is not null && Decode(lockEntry).Holders.Contains(_session);
    }

    /// <summary>The lock key and its live holders: those whose contender key still has their session.</summary>
    private (KvEntry? Lock, HashSet<string> Holders) Read(IReadOnlyList<KvEntry> entries)
    {
        var lockEntry = entries.FirstOrDefault(e => e.Key == _lockKey);
        if (lockEntry is null)
        {
            return (null, new HashSet<string>(StringComparer.Ordinal));
        }

        var (limit, holders) = Decode(lockEntry);
        if (limit != _limit)
        {
            throw new LockSetupException($"semaphore limit conflict (lock: {limit}, local: {_limit})");
        }

        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.Session is { Length: > 0 } session && entry.Key == _prefix + session && holders.Contains(session))
            {
                live.Add(session);
            }
        }

        return (lockEntry, live);
    }

    private static (int Limit, HashSet<string> Holders) Decode(KvEntry lockEntry)
    {
        if (lockEntry.Flags != Flags)
        {
            throw new LockSetupException("Existing key does not match semaphore use");
        }

        var holders = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(lockEntry.Value ?? []);
            var root = document.RootElement;
            var limit = root.GetProperty("Limit").GetInt32();
            if (root.TryGetProperty("Holders", out var set) && set.ValueKind == JsonValueKind.Object)
            {
                foreach (var holder in set.EnumerateObject())
                {
                    if (holder.Value.ValueKind == JsonValueKind.True)
                    {
                        holders.Add(holder.Name);
                    }
                }
            }

            return (limit, holders);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LockSetupException($"Failed to decode lock: {e.Message}");
        }
    }

    private byte[] Encode(HashSet<string> holders)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("Limit", _limit);
            writer.WriteStartObject("Holders");
            foreach (var holder in holders.Order(StringComparer.Ordinal))
            {
                writer.WriteBoolean(holder, true);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
