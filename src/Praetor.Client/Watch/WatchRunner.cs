using System.Net.Http;
using System.Text.Json;
using Praetor.Client.Kv;

namespace Praetor.Client.Watch;

/// <summary>Called with each new result of a watch; returns false to end the watch.</summary>
public delegate Task<bool> WatchHandler(WatchUpdate update, CancellationToken cancellationToken);

/// <summary>Called when a query of a watch failed, with the wait before the next attempt.</summary>
public delegate void WatchErrorHandler(Exception error, TimeSpan retryIn);

/// <summary>How long a watch waits after failed queries: <see cref="Base"/> times the square of the failures in a row, at most <see cref="Max"/>.</summary>
public sealed record WatchRetryPolicy(TimeSpan Base, TimeSpan Max)
{
    /// <summary>Consul's: 5 s, 20 s, 45 s, ... up to 180 s.</summary>
    public static readonly WatchRetryPolicy Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(180));

    /// <summary>The wait after <paramref name="failures"/> failures in a row.</summary>
    public TimeSpan After(int failures)
    {
        var squared = (double)failures * failures;
        return squared * Base.Ticks >= Max.Ticks ? Max : Base * squared;
    }
}

/// <summary>
/// Runs a <see cref="WatchPlan"/> as Consul's <c>Plan.Run</c>: blocking queries on the type's
/// endpoint, each waiting on the index the last one returned. The handler gets the first result,
/// then every result whose <c>X-Consul-Index</c> moved and whose data differs from the last one
/// handed over (an index that moves over unchanged data fires nothing); an index that went
/// backwards restarts the wait from 0. A failed query waits by <see cref="WatchRetryPolicy"/>,
/// and after it the next result is handed over whatever it holds. Used by <c>praetor watch</c>
/// and by the agent's <c>watches</c>.
/// </summary>
public static class WatchRunner
{
    /// <summary>
    /// Watches until <paramref name="cancellationToken"/> is cancelled or the handler returns false.
    /// Exceptions the handler throws end the watch and propagate; cancellation ends it quietly.
    /// </summary>
    public static async Task RunAsync(
        WatchPlan plan, PraetorClient client, WatchHandler handler, WatchErrorHandler? onError = null,
        WatchRetryPolicy? retry = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(handler);
        retry ??= WatchRetryPolicy.Default;
        ulong? lastIndex = null;
        byte[]? lastResult = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            ulong index;
            byte[] result;
            try
            {
                (index, result) = await QueryAsync(plan, client.Agent.Transport, lastIndex ?? 0, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is AgentConnectionException or ApiStatusException or HttpRequestException or IOException or JsonException or OperationCanceledException)
            {
                failures++;
                lastIndex = null;
                var wait = retry.After(failures);
                onError?.Invoke(e, wait);
                try
                {
                    await Task.Delay(wait, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            failures = 0;
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (lastIndex == index)
            {
                continue;
            }

            var previous = lastIndex;
            lastIndex = previous > index ? 0 : index;
            if (previous is not null && lastResult is not null && result.AsSpan().SequenceEqual(lastResult))
            {
                continue;
            }

            lastResult = result;
            if (!await handler(new WatchUpdate(index, result), cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>One query of the plan's endpoint, waiting on <paramref name="waitIndex"/>: the index and the result as compact JSON.</summary>
    private static async Task<(ulong Index, byte[] Json)> QueryAsync(WatchPlan plan, ApiTransport transport, ulong waitIndex, CancellationToken ct)
    {
        var options = new QueryOptions
        {
            Datacenter = plan.Datacenter.Length == 0 ? null : plan.Datacenter,
            AllowStale = plan.Stale,
            WaitIndex = waitIndex,
        };
        var query = ApiQuery.For(options);
        var path = plan.Type switch
        {
            "key" => KvEndpoint.KvPath(plan.Key),
            "keyprefix" => KvEndpoint.KvPath(plan.Prefix),
            "services" => "catalog/services",
            "nodes" => "catalog/nodes",
            "service" => "health/service/" + EndpointCalls.Segment(plan.Service),
            "checks" => plan.State.Length > 0 ? "health/state/" + EndpointCalls.Segment(plan.State) : "health/checks/" + EndpointCalls.Segment(plan.Service),
            "event" => "event/list",
            _ => throw new ArgumentException($"Unsupported watch type: {plan.Type}", nameof(plan)),
        };
        switch (plan.Type)
        {
            case "keyprefix":
                query.Add("recurse", string.Empty);
                break;
            case "service":
                foreach (var tag in plan.Tags)
                {
                    query.Add("tag", tag);
                }

                if (plan.PassingOnly)
                {
                    query.Add("passing", "1");
                }

                break;
            case "event" when plan.Name.Length > 0:
                query.Add("name", plan.Name);
                break;
        }

        var (body, meta) = await EndpointCalls.QueryDocumentAsync(transport, path, query, plan.Token.Length == 0 ? null : plan.Token, ct);
        using (body)
        {
            var root = body?.RootElement;
            var json = plan.Type switch
            {
                // A key watch hands over the entry itself, null when the key does not exist.
                "key" => WatchJson.Compact(root is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > 0 ? list[0] : null),
                "event" => WatchJson.Compact(root, SkipSeen(root, waitIndex)),
                _ => WatchJson.Compact(root),
            };
            return (meta.LastIndex, json);
        }
    }

    /// <summary>
    /// How many events of the list the last result already ended with: those through the event
    /// whose ID maps to the index waited on (Consul's pruning to only the new events).
    /// </summary>
    private static int SkipSeen(JsonElement? events, ulong waitIndex)
    {
        if (waitIndex == 0 || events is not { ValueKind: JsonValueKind.Array } list)
        {
            return 0;
        }

        var position = 0;
        foreach (var item in list.EnumerateArray())
        {
            position++;
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String
                && UserEvent.IdToIndex(id.GetString()!) == waitIndex)
            {
                return position;
            }
        }

        return 0;
    }
}
