using Praetor.Client;
using Praetor.Client.Kv;

namespace Praetor.Cli.Locking;

/// <summary>
/// A single-holder lock on <c>&lt;prefix&gt;/.lock</c>, as Go's <c>api.Lock</c>: the key is acquired
/// with the session (value empty, flags <see cref="Flags"/>), held while its Session is ours, released
/// at the end and deleted when nobody else holds it.
/// </summary>
internal sealed class KeyLock : IContendedLock
{
    /// <summary>The flags Go's <c>api.Lock</c> marks its key with (<c>LockFlagValue</c>).</summary>
    public const ulong Flags = 0x2ddccbc058a50c18;

    private readonly PraetorClient _client;
    private readonly string _key;
    private readonly string _session;

    public KeyLock(PraetorClient client, string prefix, string session)
    {
        _client = client;
        _key = prefix + "/.lock";
        _session = session;
    }

    /// <inheritdoc/>
    public async Task AcquireAsync(CancellationToken ct)
    {
        ulong index = 0;
        while (true)
        {
            var (entry, meta) = await _client.Kv.GetAsync(_key, new QueryOptions { WaitIndex = index, WaitTime = LockWait.RetryTime }, ct);
            if (entry is not null && entry.Flags != Flags)
            {
                throw new LockSetupException("Existing key does not match lock use");
            }

            if (entry?.Session is not { Length: > 0 } &&
                await _client.Kv.AcquireAsync(_key, ReadOnlyMemory<byte>.Empty, _session, Flags, ct: ct))
            {
                return;
            }

            index = meta.LastIndex;
        }
    }

    /// <inheritdoc/>
    public Task MonitorAsync(int retries, CancellationToken ct) =>
        LockWait.WhileAsync((options, token) => _client.Kv.GetAsync(_key, options, token), retries, entry => entry?.Session == _session, ct);

    /// <inheritdoc/>
    public string NotHeld => "Lock not held";

    /// <inheritdoc/>
    public async Task ReleaseAsync()
    {
        await _client.Kv.ReleaseAsync(_key, ReadOnlyMemory<byte>.Empty, _session, Flags);
        var entry = (await _client.Kv.GetAsync(_key)).Response;
        if (entry is not null && entry.Flags == Flags && entry.Session is not { Length: > 0 })
        {
            await _client.Kv.DeleteCasAsync(_key, entry.ModifyIndex);
        }
    }
}
