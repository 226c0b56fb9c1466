using System.Net;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Runtime;
using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip;

/// <summary>The pool's queries: sending and collecting, Serf's internal queries, keyring operations, name conflicts.</summary>
public sealed partial class SerfPool
{
    private readonly SemaphoreSlim _keyringOperations = new(1, 1);
    private int _resolvingConflict;

    /// <inheritdoc />
    public Task<SerfQueryResponse> QueryAsync(string name, byte[]? payload, QueryParam? param, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        return OnLoop(now => StartQuery(name, payload, param ?? new QueryParam(), now));
    }

    /// <summary>
    /// Answers a query delivered on <see cref="Events"/> (Query.Respond): once, before its deadline,
    /// within Serf's response size limit; relayed as the query asked. Throws
    /// <see cref="GossipException"/> with Serf's reason otherwise.
    /// </summary>
    public void Respond(SerfQueryEvent query, byte[]? payload)
    {
        ArgumentNullException.ThrowIfNull(query);
        var error = Invoke(now => _serf.Respond(query, payload, now));
        if (error is not null) throw new GossipException(error);
    }

    /// <inheritdoc />
    public async Task<KeyringResponse> KeyringAsync(KeyringOperation operation, string? key, byte relayFactor, CancellationToken cancellationToken)
    {
        byte[] rawKey = [];
        if (operation != KeyringOperation.List && !TryDecodeKey(key, out rawKey)) throw new GossipException("illegal base64 data in key");
        var request = SerfCodec.Encode(new KeyRequest(rawKey));
        // One keyring operation at a time, as Serf's KeyManager.
        await _keyringOperations.WaitAsync(cancellationToken);
        try
        {
            var (response, members) = await OnLoop(now =>
                (StartQuery(KeyringResponse.QueryName(operation), request, new QueryParam { RelayFactor = relayFactor }, now), _memberlist.NumAliveMembers));
            var collector = new KeyringResponseCollector(members);
            await foreach (var answer in response.Responses.ReadAllAsync(cancellationToken))
            {
                collector.Add(answer);
                if (collector.Complete) break;
            }
            return collector.Result();
        }
        finally
        {
            _keyringOperations.Release();
        }
    }

    private static bool TryDecodeKey(string? key, out byte[] raw)
    {
        raw = [];
        if (key is null) return false;
        var buffer = new byte[(key.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(key, buffer, out var written)) return false;
        raw = buffer[..written];
        return true;
    }

    /// <summary>On the loop: Serf's default timeout filled in, then the core's query.</summary>
    private SerfQueryResponse StartQuery(string name, byte[]? payload, QueryParam param, TimeSpan now)
    {
        if (param.Timeout <= TimeSpan.Zero)
        {
            param = param with { Timeout = QueryParam.DefaultTimeout(_options.GossipInterval, _config.SerfOptions.QueryTimeoutMult, _memberlist.NumAliveMembers) };
        }
        if (!_serf.TryQuery(name, payload, param, now, out var response, out var error)) throw new GossipException(error!);
        return response!;
    }

    /// <summary>On the loop: Serf answers its internal queries itself (and never delivers them as events).</summary>
    private void AnswerInternalQuery(SerfQueryEvent query)
    {
        var payload = InternalQueries.Answer(query, new InternalQueryHost(this));
        if (payload is null) return;
        var error = _serf.Respond(query, payload, Now());
        if (error is not null) PoolLog.QueryRespondFailed(_logger, query.Name, error);
    }

    /// <summary>
    /// memberlist's NotifyConflict as Serf handles it: a conflict over another node's name is only
    /// logged; one over ours starts the resolution (one at a time).
    /// </summary>
    private void OnNameConflict(NameConflict conflict)
    {
        if (conflict.Existing.Name != _config.NodeName)
        {
            PoolLog.NameConflict(_logger, conflict.Existing.Name, conflict.Existing.Address, conflict.Other.Address);
            return;
        }
        PoolLog.LocalNameConflict(_logger, conflict.Other.Address);
        if (Interlocked.Exchange(ref _resolvingConflict, 1) == 0) _ = Task.Run(ResolveNameConflictAsync);
    }

    /// <summary>
    /// resolveNodeConflict: asks the pool (<c>_serf_conflict</c>) where it believes our name lives;
    /// unless a majority of the answers name our own address, this node is the impostor and stops.
    /// </summary>
    private async Task ResolveNameConflictAsync()
    {
        try
        {
            var response = await QueryAsync(InternalQueries.Conflict, System.Text.Encoding.UTF8.GetBytes(_config.NodeName), null, CancellationToken.None);
            int responses = 0, matching = 0;
            await foreach (var answer in response.Responses.ReadAllAsync())
            {
                if (!SerfCodec.TryDecode<ConflictResponse>(answer.Payload ?? [], out var conflict, out var error))
                {
                    PoolLog.ConflictAnswerInvalid(_logger, answer.From, error.ToString());
                    continue;
                }
                responses++;
                if (conflict.Member is { Addr: { Length: 4 or 16 } addr } member && member.Port == AdvertiseEndpoint.Port &&
                    SameAddress(new IPAddress(addr), AdvertiseEndpoint.Address))
                {
                    matching++;
                }
            }
            var majority = (responses / 2) + 1;
            if (matching >= majority)
            {
                PoolLog.ConflictWon(_logger, matching, responses);
                return;
            }
            PoolLog.ConflictLost(_logger, _config.NodeName, matching, responses);
            await StopAsync();
        }
        catch (GossipException)
        {
            // The pool stopped meanwhile.
        }
        finally
        {
            Volatile.Write(ref _resolvingConflict, 0);
        }
    }

    private static bool SameAddress(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);

    /// <summary>The pool as the internal query handler sees it (on the loop).</summary>
    private sealed class InternalQueryHost(SerfPool pool) : IInternalQueryHost
    {
        public string LocalName => pool._config.NodeName;

        public Keyring? Keyring => pool._keyring;

        public string? ReplaceKeyring(Keyring keyring)
        {
            if (pool._config.KeyringFile is { } path && KeyringFile.Write(path, keyring) is { } error) return error;
            pool._keyring = keyring;
            PoolLog.KeyringChanged(pool._logger, pool._config.NodeName, keyring.Count);
            return null;
        }

        public ConflictMember? ConflictView(string name) => pool._serf.ConflictView(name);

        public bool ResponseFits(SerfQueryEvent query, byte[] payload) => pool._serf.ResponseFits(query, payload);
    }
}
