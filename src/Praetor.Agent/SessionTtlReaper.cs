using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Praetor.Agent.Endpoints;
using Praetor.Raft;
using Praetor.State;
using Praetor.State.Commands;

namespace Praetor.Agent;

/// <summary>
/// A leader duty (Consul's session TTL timers): a session with a TTL that is not renewed within
/// TTL × <see cref="State.Sessions.SessionDefaults.TtlMultiplier"/> is destroyed through the log.
/// Only the leader keeps deadlines; it arms one for every TTL session it has not seen yet — so a
/// new leader re-arms them all from the moment it notices —, a renewal applied here resets it,
/// and losing leadership forgets them. Checked every <see cref="Granularity"/>.
/// </summary>
public sealed class SessionTtlReaper : IAsyncDisposable
{
    /// <summary>How often deadlines are checked, and so how late past its deadline a session may be destroyed.</summary>
    public static readonly TimeSpan Granularity = TimeSpan.FromMilliseconds(250);

    private readonly StateStore _store;
    private readonly IReplicatedLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _deadlines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _destroying = new(StringComparer.Ordinal);
    private readonly Lock _tick = new();
    private readonly ITimer _timer;

    public SessionTtlReaper(StateStore store, IReplicatedLog log, TimeProvider time, ILogger? logger = null)
    {
        _store = store;
        _log = log;
        _time = time;
        _logger = logger;
        store.SessionRenewed += Renewed;
        _timer = time.CreateTimer(_ => Tick(), null, Granularity, Granularity);
    }

    /// <summary>The sessions this server times now (none unless it leads), for tests.</summary>
    public int Armed => _deadlines.Count;

    /// <summary>Arms new TTL sessions, forgets gone ones, and destroys the expired; called by the timer.</summary>
    public void Tick()
    {
        if (!_tick.TryEnter())
        {
            return;
        }
        try
        {
            if (!_log.Leader.IsLeader)
            {
                _deadlines.Clear();
                return;
            }
            var now = _time.GetUtcNow();
            var sessions = _store.Current.Sessions;
            foreach (var id in _deadlines.Keys)
            {
                if (sessions.Get(id) is null)
                {
                    _deadlines.TryRemove(id, out _);
                }
            }
            foreach (var (id, pending) in _destroying)
            {
                if (pending.IsCompleted)
                {
                    _destroying.TryRemove(id, out _);
                }
            }
            foreach (var session in sessions.All)
            {
                var ttl = SessionEndpoint.TtlOf(session);
                if (ttl == TimeSpan.Zero)
                {
                    continue;
                }
                var deadline = _deadlines.GetOrAdd(session.Id, now + ttl * State.Sessions.SessionDefaults.TtlMultiplier);
                if (now >= deadline && !_destroying.ContainsKey(session.Id))
                {
                    if (_logger?.IsEnabled(LogLevel.Information) == true)
                    {
                        _logger.LogInformation("session {Id} expired: not renewed within twice its TTL {Ttl}", session.Id, session.Ttl);
                    }
                    _destroying[session.Id] = DestroyAsync(session.Id);
                }
            }
        }
        finally
        {
            _tick.Exit();
        }
    }

    private void Renewed(string id)
    {
        if (_deadlines.ContainsKey(id) && _store.Current.Sessions.Get(id) is { } session)
        {
            _deadlines[id] = _time.GetUtcNow() + SessionEndpoint.TtlOf(session) * State.Sessions.SessionDefaults.TtlMultiplier;
        }
    }

    private async Task DestroyAsync(string id)
    {
        try
        {
            await _log.ApplyAsync(CommandCodec.Encode(new SessionDestroyCommand(id)), CancellationToken.None).ConfigureAwait(false);
        }
        catch (NotLeaderException)
        {
            // Leadership moved: the next leader times the session afresh.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The log is shutting down or the write failed: the next tick tries again.
            _logger?.LogWarning(ex, "destroying expired session {Id} failed", id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _store.SessionRenewed -= Renewed;
        await _timer.DisposeAsync().ConfigureAwait(false);
        foreach (var pending in _destroying.Values)
        {
            await pending.ConfigureAwait(false);
        }
    }
}
