using System.ComponentModel;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Praetor.Agent.Config;
using Praetor.Agent.Events;
using Praetor.Client;
using Praetor.Client.Watch;

namespace Praetor.Api;

/// <summary>
/// Runs the agent's <c>watches</c> (<see cref="WatchDefinition"/>) against its own HTTP API, as
/// Consul's agent does, each with <see cref="WatchRunner"/> in the background. A script handler
/// (<c>args</c> run directly, <c>handler</c> through the shell) gets the result on stdin and
/// <c>CONSUL_INDEX</c>; its output is logged at debug and a failure at error, and the watch goes
/// on. An HTTP handler sends the result as the body. <see cref="Apply"/> (at start and after a
/// reload) stops the watches no longer defined, starts the new ones, and leaves unchanged ones
/// running, so they do not fire again.
/// </summary>
internal sealed class AgentWatches : IAsyncDisposable
{
    private readonly PraetorClient _client;
    private readonly ILogger? _log;
    private readonly WatchRetryPolicy _retry;
    private readonly Lock _lock = new();
    private readonly List<Running> _running = [];
    private bool _disposed;

    /// <param name="httpAddress">The agent's own HTTP API.</param>
    public AgentWatches(Uri httpAddress, ILogger? log, WatchRetryPolicy retry)
    {
        _client = new PraetorClient(new PraetorClientConfig { Address = httpAddress.ToString() });
        _log = log;
        _retry = retry;
    }

    /// <summary>Number of watches running, for tests.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>Makes the running watches those of <paramref name="definitions"/> (equal definitions, by identity, stay running).</summary>
    public void Apply(IReadOnlyList<WatchDefinition> definitions)
    {
        List<Running> stopped;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var keep = new List<Running>();
            var pending = new List<Running>(_running);
            foreach (var definition in definitions)
            {
                var index = pending.FindIndex(r => r.Definition.Identity == definition.Identity);
                if (index >= 0)
                {
                    keep.Add(pending[index]);
                    pending.RemoveAt(index);
                }
                else
                {
                    keep.Add(Start(definition));
                }
            }

            stopped = pending;
            _running.Clear();
            _running.AddRange(keep);
        }

        foreach (var running in stopped)
        {
            running.Stop.Cancel();
            running.Task.ContinueWith(_ => running.Stop.Dispose(), TaskScheduler.Default);
            if (_log is not null)
            {
                WatchLog.Stopped(_log, running.Definition.Plan.Type);
            }
        }
    }

    private Running Start(WatchDefinition definition)
    {
        var stop = new CancellationTokenSource();
        var http = definition.Http is { } config ? CreateHttpClient(config) : null;
        var task = Task.Run(async () =>
        {
            try
            {
                await WatchRunner.RunAsync(definition.Plan, _client, (update, ct) => HandleAsync(definition, http, update, ct),
                    (error, wait) => WatchErrored(definition, error, wait),
                    _retry, stop.Token);
            }
            finally
            {
                http?.Dispose();
            }
        });
        if (_log is not null)
        {
            WatchLog.Started(_log, definition.Plan.Type);
        }

        return new Running(definition, stop, task);
    }

    private void WatchErrored(WatchDefinition definition, Exception error, TimeSpan wait)
    {
        if (_log is not null)
        {
            WatchLog.Errored(_log, definition.Plan.Type, error.Message, Agent.GoDuration.Format(wait));
        }
    }

    private async Task<bool> HandleAsync(WatchDefinition definition, HttpClient? http, WatchUpdate update, CancellationToken ct)
    {
        if (http is not null && definition.Http is { } config)
        {
            await PostAsync(http, config, update, ct);
            return true;
        }

        var startInfo = definition.Args is { } args
            ? WatchScript.Direct(args, update)
            : WatchScript.Shell(definition.Handler!, Environment.GetEnvironmentVariable("SHELL"), update);
        var name = definition.Args is { } list ? string.Join(' ', list) : definition.Handler!;
        try
        {
            var (exitCode, output) = await EventScriptInvocation.RunAsync(startInfo, update.HandlerBody(), ct);
            if (_log is not null)
            {
                if (exitCode != 0)
                {
                    WatchLog.HandlerFailed(_log, name, $"exit status {exitCode}");
                }

                WatchLog.HandlerOutput(_log, name, output);
            }
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            if (_log is not null)
            {
                WatchLog.HandlerFailed(_log, name, e.Message);
            }
        }

        return true;
    }

    private async Task PostAsync(HttpClient http, WatchHttpHandler config, WatchUpdate update, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(new HttpMethod(config.Method), config.Path);
        var body = new ByteArrayContent(update.HandlerBody());
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content = body;
        foreach (var (name, values) in config.Header)
        {
            if (!request.Headers.TryAddWithoutValidation(name, values))
            {
                body.Headers.TryAddWithoutValidation(name, values);
            }
        }

        request.Headers.TryAddWithoutValidation("X-Consul-Index", update.IndexText);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode && _log is not null)
            {
                WatchLog.HttpStatus(_log, config.Path, (int)response.StatusCode);
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            if (_log is not null)
            {
                WatchLog.HttpFailed(_log, config.Path, e.Message);
            }
        }
    }

    private static HttpClient CreateHttpClient(WatchHttpHandler config)
    {
        var handler = new SocketsHttpHandler();
        if (config.TlsSkipVerify)
        {
#pragma warning disable CA5359 // The user asked for it (tls_skip_verify), typically for a self-signed endpoint.
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        return new HttpClient(handler, disposeHandler: true) { Timeout = config.Timeout };
    }

    public async ValueTask DisposeAsync()
    {
        List<Running> running;
        lock (_lock)
        {
            _disposed = true;
            running = [.. _running];
            _running.Clear();
        }

        foreach (var watch in running)
        {
            await watch.Stop.CancelAsync();
        }

        foreach (var watch in running)
        {
            try
            {
                await watch.Task;
            }
            catch (OperationCanceledException)
            {
                // Stopped while its handler ran.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (_log is not null)
                {
                    WatchLog.Ended(_log, watch.Definition.Plan.Type, e.Message);
                }
            }

            watch.Stop.Dispose();
        }

        _client.Dispose();
    }

    private sealed record Running(WatchDefinition Definition, CancellationTokenSource Stop, Task Task);
}
