using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Praetor.Agent.Events;

/// <summary>
/// Runs the configured handler scripts for events, as Serf's ScriptEventHandler, without ever
/// blocking the caller (the gossip event loop): <see cref="Dispatch"/> only queues. One loop takes
/// events in arrival order and starts every matching script, at most <c>maxConcurrent</c> at a
/// time; when the queue is full, new events are dropped and counted in <see cref="Dropped"/>
/// rather than stall gossip. A script that runs past <c>timeout</c> is killed with its children.
/// Scripts are replaced on reload with <see cref="UpdateScripts"/>; runs under way finish.
/// </summary>
public sealed class EventHandlers : IAsyncDisposable
{
    public const int DefaultMaxConcurrent = 8;
    public const int DefaultQueueCapacity = 1024;

    /// <summary>Serf warns about a handler slower than this (warnSlow).</summary>
    private static readonly TimeSpan SlowWarning = TimeSpan.FromSeconds(1);

    private readonly Func<HandlerSelf> _self;
    private readonly ILogger _log;
    private readonly TimeSpan _timeout;
    private readonly Channel<HandlerEvent> _queue;
    private readonly SemaphoreSlim _slots;
    private readonly int _maxConcurrent;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private volatile IReadOnlyList<EventScript> _scripts;
    private long _dropped;
    private long _started;
    private long _failed;

    // Events dispatched whose scripts have not all been started yet.
    private long _pending;

    /// <param name="scripts">The handlers (see <see cref="EventScript.ParseAll"/>).</param>
    /// <param name="self">This agent's member name and tags, read at each run.</param>
    /// <param name="maxConcurrent">How many scripts may run at once.</param>
    /// <param name="timeout">How long a script may run; <see cref="Timeout.InfiniteTimeSpan"/> (Serf's choice) for no limit.</param>
    public EventHandlers(
        IReadOnlyList<EventScript> scripts,
        Func<HandlerSelf> self,
        ILogger? log = null,
        int maxConcurrent = DefaultMaxConcurrent,
        int queueCapacity = DefaultQueueCapacity,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        ArgumentNullException.ThrowIfNull(self);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        _scripts = scripts;
        _self = self;
        _log = log ?? NullLogger.Instance;
        _maxConcurrent = maxConcurrent;
        _timeout = timeout ?? Timeout.InfiniteTimeSpan;
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
        _queue = Channel.CreateBounded<HandlerEvent>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The scripts in use now.</summary>
    public IReadOnlyList<EventScript> Scripts => _scripts;

    /// <summary>Events dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Script runs started so far.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Script runs that could not start, exited non-zero or were killed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Queues <paramref name="handlerEvent"/> for its scripts; false (and counted) when the queue is full or the handlers are stopped.</summary>
    public bool Dispatch(HandlerEvent handlerEvent)
    {
        ArgumentNullException.ThrowIfNull(handlerEvent);
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite(handlerEvent))
        {
            return true;
        }
        Interlocked.Decrement(ref _pending);
        Interlocked.Increment(ref _dropped);
        _log.LogWarning("agent: event handler queue full, dropped {Type} event {Name}", handlerEvent.Type, handlerEvent.Name);
        return false;
    }

    /// <summary>Replaces the scripts for the events dispatched from now on (Serf's UpdateScripts, on reload).</summary>
    public void UpdateScripts(IReadOnlyList<EventScript> scripts)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        _scripts = scripts;
    }

    /// <summary>Completes when no script is running and none is queued (for tests and orderly shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (Interlocked.Read(ref _pending) > 0 || _slots.CurrentCount < _maxConcurrent)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var handlerEvent in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                try
                {
                    foreach (var script in _scripts)
                    {
                        if (!script.Matches(handlerEvent.Type, handlerEvent.Name))
                        {
                            continue;
                        }
                        await _slots.WaitAsync(_stopping.Token);
                        Interlocked.Increment(ref _started);
                        _ = RunOneAsync(script, handlerEvent);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task RunOneAsync(EventScript script, HandlerEvent handlerEvent)
    {
        try
        {
            await Task.Yield();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            if (_timeout != Timeout.InfiniteTimeSpan)
            {
                limit.CancelAfter(_timeout);
            }
            var started = Stopwatch.GetTimestamp();
            var startInfo = EventScriptInvocation.StartInfo(script.Script, handlerEvent, _self());
            var (exitCode, output) = await EventScriptInvocation.RunAsync(startInfo, EventScriptInvocation.Stdin(handlerEvent), limit.Token);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > SlowWarning)
            {
                _log.LogWarning("agent: Script '{Script}' slow, execution exceeding {Limit}", script.Script, SlowWarning);
            }
            if (exitCode != 0)
            {
                Interlocked.Increment(ref _failed);
                _log.LogError("agent: Error invoking script '{Script}': exit status {ExitCode}", script.Script, exitCode);
            }
            if (_log.IsEnabled(LogLevel.Debug))
            {
                _log.LogDebug("agent: Event '{Type}' script output: {Output}", handlerEvent.Type, output);
            }
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _failed);
            if (!_stopping.IsCancellationRequested)
            {
                _log.LogError("agent: Script '{Script}' killed after {Timeout}", script.Script, _timeout);
            }
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            Interlocked.Increment(ref _failed);
            _log.LogError("agent: Error invoking script '{Script}': {Error}", script.Script, e.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // Let the killed runs end before returning; the semaphore is left undisposed for any that
        // outlive the grace (it holds no wait handle unless asked for one).
        var grace = Stopwatch.GetTimestamp();
        while (_slots.CurrentCount < _maxConcurrent && Stopwatch.GetElapsedTime(grace) < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }
    }
}
