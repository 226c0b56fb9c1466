using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Praetor.Client;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor exec [options] [-|command...]</c> (Consul's <c>consul exec</c>, command/exec): creates
/// a session (<c>Remote Exec</c>, behavior delete, TTL 15s renewed every 5 s), uploads the job to
/// <c>&lt;prefix&gt;/&lt;session&gt;/job</c> with <c>?acquire</c>, waits <c>-wait-repl</c>, fires the
/// <c>_rexec</c> user event with the node, service and tag filters, then follows the session's
/// directory with blocking key listings: each node's output as <c>    &lt;node&gt;: &lt;line&gt;</c>,
/// its end as <c>==&gt; &lt;node&gt;: finished with exit code N</c>, and after <c>-wait</c> (twice
/// that while a node that acknowledged has not finished) without news the summary
/// <c>N / M node(s) completed / acknowledged</c>. Exit code 2 when a node failed or did not finish;
/// 1, with an error saying how to enable it, when no node acknowledged and the local agent has
/// remote exec disabled (Consul ends with 0 / 0 and exit code 0 there).
/// At the end the session is destroyed and the directory deleted.
/// </summary>
public static class ExecCommand
{
    public const string Synopsis = "Executes a command on Consul nodes";

    /// <summary>The session's TTL (rExecTTL).</summary>
    public const string SessionTtl = "15s";

    /// <summary>How often the session is renewed (rExecRenewInterval).</summary>
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(5);

    private const string Usage = """
        Usage: praetor exec [options] [-|command...]

          Evaluates a command on remote Consul nodes. The nodes responding can
          be filtered using regular expressions on node name, service, and tag
          definitions. If a command is '-', stdin will be read until EOF
          and used as a script input.
        """;

    private enum ResultKind
    {
        Ack,
        Heartbeat,
        Output,
        Exit,
        Failed,
    }

    private readonly record struct Result(ResultKind Kind, string Node, byte[] Output, int Code);

    private sealed record Job(string Command, IReadOnlyList<string> Args, byte[] Script, TimeSpan Wait);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("exec", Usage);
        var flags = command.Flags;
        var node = flags.String("node", string.Empty, "Regular expression to filter on node names.");
        var service = flags.String("service", string.Empty, "Regular expression to filter on service instances.");
        var tag = flags.String("tag", string.Empty, "Regular expression to filter on service tags. Must be used with -service.");
        var prefix = flags.String("prefix", "_rexec", "Prefix in the KV store to use for request data.");
        var shell = flags.Bool("shell", true, "Use a shell to run the command.");
        var wait = flags.Duration("wait", TimeSpan.FromSeconds(2), "Period to wait with no responses before terminating execution.");
        var replWait = flags.Duration("wait-repl", TimeSpan.FromMilliseconds(200),
            "Period to wait for replication before firing event. This is an optimization to allow stale reads to be performed.");
        var verbose = flags.Bool("verbose", false, "Enables verbose output.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        var line = string.Join(' ', flags.Args);
        IReadOnlyList<string> argv = [];
        byte[] script = [];
        if (line == "-")
        {
            if (!shell.Value)
            {
                context.Error("Cannot configure -shell=false when reading from stdin");
                return 1;
            }
            line = "";
            script = await context.ReadStdinBytesAsync();
        }
        else if (!shell.Value)
        {
            line = "";
            argv = flags.Args;
        }
        if (line.Length == 0 && script.Length == 0 && argv.Count == 0)
        {
            return command.UsageError("Must specify a command to execute", context);
        }
        if (!EventCommand.Compiles(node.Value, "node", context) || !EventCommand.Compiles(service.Value, "service", context) || !EventCommand.Compiles(tag.Value, "tag", context))
        {
            return 1;
        }
        if (tag.Value.Length > 0 && service.Value.Length == 0)
        {
            context.Error("Cannot provide tag filter without service filter.");
            return 1;
        }
        // Consul takes any duration; a quiet period of zero or less would end before any agent answers.
        if (wait.Value <= TimeSpan.Zero || replWait.Value < TimeSpan.Zero)
        {
            context.Error(wait.Value <= TimeSpan.Zero ? "-wait must be a positive duration" : "-wait-repl must not be negative");
            return 1;
        }

        var job = new Job(line, argv, script, wait.Value);
        return await command.RunAsync(context, async client =>
        {
            var self = await HttpCommand.RequestAsync("Error querying Consul agent", () => client.Agent.SelfAsync());
            if (client.Config.Datacenter is { Length: > 0 } dc && dc != self.Config.Datacenter)
            {
                // Consul binds the session to a server there; Praetor's agents do not forward to other datacenters yet.
                context.Error($"Remote exec in another datacenter ({dc}) is not supported yet: run it against an agent of {dc}");
                return 1;
            }
            string session;
            try
            {
                session = await client.Session.CreateAsync(new SessionRequest { Name = "Remote Exec", Behavior = "delete", Ttl = SessionTtl });
            }
            catch (Exception e) when (e is ApiStatusException or AgentConnectionException or HttpRequestException or InvalidDataException or JsonException)
            {
                context.Error($"Failed to create session: {e.Message}");
                return 1;
            }
            using var stopRenewing = new CancellationTokenSource();
            var renewing = RenewAsync(client, session, context, stopRenewing.Token);
            var directory = prefix.Value.TrimEnd('/') + "/" + session + "/";
            try
            {
                if (verbose.Value)
                {
                    context.Info($"Created remote execution session: {session}");
                }
                return await RunJobAsync(client, context, job, directory, session, prefix.Value, node.Value, service.Value, tag.Value, replWait.Value, verbose.Value);
            }
            finally
            {
                // The session first: once it is gone no agent can acquire a key to write, then the directory.
                await stopRenewing.CancelAsync();
                await renewing;
                await CleanUpAsync(client, context, session, directory);
            }
        });
    }

    private static async Task<int> RunJobAsync(PraetorClient client, CliContext context, Job job, string directory, string session, string prefix,
        string node, string service, string tag, TimeSpan replWait, bool verbose)
    {
        try
        {
            if (!await client.Kv.AcquireAsync(directory + "job", SpecJson(job), session))
            {
                context.Error($"Failed to create job file: failed to acquire key {directory}job");
                return 1;
            }
        }
        catch (Exception e) when (e is ApiStatusException or AgentConnectionException or HttpRequestException)
        {
            context.Error($"Failed to create job file: {e.Message}");
            return 1;
        }
        if (verbose)
        {
            context.Info("Uploaded remote execution spec");
        }
        // Time for the job to reach the servers a stale read may ask (Consul's heuristic).
        await Task.Delay(replWait);
        string id;
        try
        {
            id = (await client.Event.FireAsync(new UserEvent
            {
                Name = "_rexec",
                Payload = EventPayload(prefix, session),
                NodeFilter = node,
                ServiceFilter = service,
                TagFilter = tag,
            })).Id;
        }
        catch (Exception e) when (e is ApiStatusException or AgentConnectionException or HttpRequestException or JsonException)
        {
            context.Error($"Failed to fire event: {e.Message}");
            return 1;
        }
        if (verbose)
        {
            context.Info($"Fired remote execution event: {id}");
        }
        return await WaitForJobAsync(client, context, directory, job.Wait, verbose);
    }

    private static async Task<int> WaitForJobAsync(PraetorClient client, CliContext context, string directory, TimeSpan wait, bool verbose)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var results = Channel.CreateUnbounded<Result>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = new CancellationTokenSource();
        var streaming = StreamResultsAsync(client, context, directory, wait, results.Writer, stop.Token);
        int acks = 0, exits = 0, bad = 0;
        try
        {
            while (true)
            {
                var quiet = acks > exits ? wait * 2 : wait;
                using var timeout = new CancellationTokenSource(quiet);
                Result result;
                try
                {
                    result = await results.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    context.Info($"{exits} / {acks} node(s) completed / acknowledged");
                    if (verbose)
                    {
                        context.Info(string.Create(CultureInfo.InvariantCulture,
                            $"Completed in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.00} seconds"));
                    }
                    if (exits < acks)
                    {
                        bad++;
                    }
                    break;
                }
                switch (result.Kind)
                {
                    case ResultKind.Ack:
                        acks++;
                        if (verbose)
                        {
                            context.Info(Targeted(true, result.Node, "acknowledged"));
                        }
                        break;
                    case ResultKind.Heartbeat:
                        if (verbose)
                        {
                            context.Info(Targeted(true, result.Node, "heartbeat received"));
                        }
                        break;
                    case ResultKind.Output:
                        context.Info(Targeted(false, result.Node, Encoding.UTF8.GetString(result.Output)));
                        break;
                    case ResultKind.Exit:
                        exits++;
                        context.Info(Targeted(true, result.Node, $"finished with exit code {result.Code}"));
                        if (result.Code != 0)
                        {
                            bad++;
                        }
                        break;
                    default:
                        return 1;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await streaming;
        }
        if (acks == 0 && await RemoteExecDisabledOnAsync(client) is { } agent)
        {
            context.Error($"Remote exec is disabled on agent \"{agent}\" ({client.Config.Address}), so no node ran the job. "
                + "To enable it, set \"disable_remote_exec\": false in that agent's configuration and restart it.");
            return 1;
        }
        return bad > 0 ? 2 : 0;
    }

    /// <summary>
    /// The local agent's node name when it has remote exec disabled (<c>DebugConfig.DisableRemoteExec</c>
    /// of <c>/v1/agent/self</c>); null when it has not, or cannot tell, so that Consul's outcome stands.
    /// </summary>
    private static async Task<string?> RemoteExecDisabledOnAsync(PraetorClient client)
    {
        try
        {
            var self = await client.Agent.SelfAsync();
            return self.DebugConfig.DisableRemoteExec == true ? self.Config.NodeName : null;
        }
        catch (Exception e) when (e is ApiStatusException or AgentConnectionException or HttpRequestException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Consul's TargetedUI: every line of <paramref name="message"/> after <c>==&gt; node: </c> or four spaces, trailing white space trimmed.</summary>
    private static string Targeted(bool arrow, string node, string message)
    {
        var builder = new StringBuilder();
        foreach (var part in message.Split('\n'))
        {
            builder.Append(arrow ? "==>" : "   ").Append(' ').Append(node).Append(": ").Append(part).Append('\n');
        }
        return builder.ToString().TrimEnd();
    }

    /// <summary>Lists the directory with blocking queries and reports each new key once: of one listing, acks first, then output, then exits.</summary>
    private static async Task StreamResultsAsync(PraetorClient client, CliContext context, string directory, TimeSpan wait, ChannelWriter<Result> results, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ulong index = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var listed = await client.Kv.KeysAsync(directory, null, new QueryOptions { WaitIndex = index, WaitTime = wait }, ct);
                if (listed.Meta.LastIndex == index)
                {
                    continue;
                }
                index = listed.Meta.LastIndex;
                // The listing is sorted, so "<node>/exit" comes before "<node>/out/..." written just before it:
                // within one listing, acks go first and exits last, so a node's output precedes its end.
                foreach (var full in listed.Response.Where(seen.Add).OrderBy(Rank))
                {
                    var key = full.StartsWith(directory, StringComparison.Ordinal) ? full[directory.Length..] : full;
                    if (key == "job")
                    {
                        continue;
                    }
                    if (key.EndsWith("/ack", StringComparison.Ordinal))
                    {
                        results.TryWrite(new Result(ResultKind.Ack, key[..^"/ack".Length], [], 0));
                    }
                    else if (key.EndsWith("/exit", StringComparison.Ordinal))
                    {
                        var value = await ValueAsync(client, context, full, ct);
                        if (value is null)
                        {
                            continue;
                        }
                        if (!int.TryParse(Encoding.UTF8.GetString(value), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
                        {
                            context.Error($"Failed to parse exit code '{Encoding.UTF8.GetString(value)}'");
                            continue;
                        }
                        results.TryWrite(new Result(ResultKind.Exit, key[..^"/exit".Length], [], code));
                    }
                    else if (key.LastIndexOf("/out/", StringComparison.Ordinal) is var divider and >= 0)
                    {
                        var value = await ValueAsync(client, context, full, ct);
                        if (value is not null)
                        {
                            results.TryWrite(new Result(value.Length == 0 ? ResultKind.Heartbeat : ResultKind.Output, key[..divider], value, 0));
                        }
                    }
                    else
                    {
                        context.Error($"Unknown key '{key}', ignoring.");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is ApiStatusException or AgentConnectionException or HttpRequestException or JsonException)
        {
            context.Error($"Failed to read results: {e.Message}");
            results.TryWrite(new Result(ResultKind.Failed, "", [], 0));
        }
    }

    private static int Rank(string key) =>
        key.EndsWith("/ack", StringComparison.Ordinal) ? 0 : key.EndsWith("/exit", StringComparison.Ordinal) ? 2 : 1;

    private static async Task<byte[]?> ValueAsync(PraetorClient client, CliContext context, string key, CancellationToken ct)
    {
        var entry = (await client.Kv.GetAsync(key, null, ct)).Response;
        if (entry is null)
        {
            context.Error($"Failed to read key '{key}': not found");
            return null;
        }
        return entry.Value ?? [];
    }

    private static async Task RenewAsync(PraetorClient client, string session, CliContext context, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(RenewInterval, ct);
                if (!await client.Session.RenewAsync(session, null, ct))
                {
                    context.Error($"Session renew failed: session {session} not found");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is ApiStatusException or AgentConnectionException or HttpRequestException)
        {
            context.Error($"Session renew failed: {e.Message}");
        }
    }

    private static async Task CleanUpAsync(PraetorClient client, CliContext context, string session, string directory)
    {
        try
        {
            await client.Session.DestroyAsync(session);
            await client.Kv.DeleteTreeAsync(directory);
        }
        catch (Exception e) when (e is ApiStatusException or AgentConnectionException or HttpRequestException)
        {
            context.Error($"Failed to clean up remote execution data: {e.Message}");
        }
    }

    /// <summary>The job as Consul's CLI writes it: Command, Args and Script (base64) only when set, Wait in nanoseconds.</summary>
    private static byte[] SpecJson(Job job)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (job.Command.Length > 0)
            {
                writer.WriteString("Command", job.Command);
            }
            if (job.Args.Count > 0)
            {
                writer.WriteStartArray("Args");
                foreach (var arg in job.Args)
                {
                    writer.WriteStringValue(arg);
                }
                writer.WriteEndArray();
            }
            if (job.Script.Length > 0)
            {
                writer.WriteBase64String("Script", job.Script);
            }
            writer.WriteNumber("Wait", job.Wait.Ticks * 100);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] EventPayload(string prefix, string session)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("Prefix", prefix);
            writer.WriteString("Session", session);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
