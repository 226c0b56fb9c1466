using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Praetor.Agent;
using Praetor.Client;
using Praetor.Client.Watch;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor watch -type=TYPE [options] [handler ...]</c> (Consul's <c>consul watch</c>): builds a
/// <see cref="WatchPlan"/> from the flags and runs it. Without a handler the first result is
/// printed (indented by four spaces) and the command ends; with one, the handler runs with the
/// JSON result on stdin and <c>CONSUL_INDEX</c> in its environment at start and on every change,
/// until SIGINT/SIGTERM (exit 0) or a handler that fails (exit 1).
/// </summary>
public static class WatchCommand
{
    public const string Synopsis = "Watch for changes in Consul";

    private const string Usage = """
        Usage: praetor watch [options] [child...]

          Watches for changes in a given data view from Consul. If a child process
          is specified, it will be invoked with the latest results on changes. Otherwise,
          the latest values are dumped to stdout and the watch terminates.

          Providing the watch type is required, and other parameters may be required
          or supported depending on the watch type.
        """;

    /// <summary>Runs until the watch ends, or until SIGINT or SIGTERM (then exit 0).</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context) =>
        ShutdownSignals.RunAsync(shutdown => RunAsync(args, context, WatchRetryPolicy.Default, shutdown));

    /// <summary>Runs until the watch ends or <paramref name="shutdown"/> fires (exit 0); failed queries are retried by <paramref name="retry"/>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, WatchRetryPolicy retry, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("watch", Usage);
        var flags = command.Flags;
        var shell = flags.Bool("shell", true, "Use a shell to run the command (can set a custom shell via the SHELL environment variable).");
        var type = flags.String("type", string.Empty, "Specifies the watch type. One of key, keyprefix, services, nodes, service, checks, or event.");
        var key = flags.String("key", string.Empty, "Specifies the key to watch. Only for 'key' type.");
        var prefix = flags.String("prefix", string.Empty, "Specifies the key prefix to watch. Only for 'keyprefix' type.");
        var service = flags.String("service", string.Empty, "Specifies the service to watch. Required for 'service' type, optional for 'checks' type.");
        var tags = flags.StringList("tag", "Specifies the service tag(s) to filter on. Optional for 'service' type. May be specified multiple times");
        var passingOnly = flags.String("passingonly", string.Empty,
            "Specifies if only hosts passing all checks are displayed. Optional for 'service' type, must be one of `[true|false]`. Defaults false.");
        var state = flags.String("state", string.Empty, "Specifies the states to watch. Optional for 'checks' type.");
        var name = flags.String("name", string.Empty, "Specifies an event name to watch. Only for 'event' type.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (type.Value.Length == 0)
        {
            return command.UsageError("Watch type must be specified", context);
        }

        var passing = false;
        if (passingOnly.Value.Length > 0 && !GoStrconv.TryParseBool(passingOnly.Value, out passing))
        {
            context.Error($"Failed to parse passingonly flag: strconv.ParseBool: parsing {GoStrconv.Quote(passingOnly.Value)}: invalid syntax");
            return 1;
        }

        WatchPlan plan;
        try
        {
            plan = WatchPlan.Parse(Parameters(type.Value, key.Value, prefix.Value, service.Value, tags.Value, command.Http.QueryOptions.AllowStale,
                state.Value, name.Value, passingOnly.Value.Length > 0 ? passing : null));
        }
        catch (WatchPlanException e)
        {
            context.Error(e.Message);
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            await HttpCommand.RequestAsync("Error connecting to Consul agent", () => client.Status.LeaderAsync(ct: shutdown));
            var failed = false;
            WatchHandler handler = flags.Args.Count == 0
                ? (update, _) =>
                {
                    context.Info(WatchJson.Indent(update.Json));
                    return Task.FromResult(false);
                }
                : async (update, ct) =>
                {
                    var startInfo = shell.Value
                        ? WatchScript.Shell(string.Join(' ', flags.Args), context.GetEnvironmentVariable("SHELL"), update)
                        : WatchScript.Direct(flags.Args, update);
                    if (await RunHandlerAsync(startInfo, update, context, ct) is { } error)
                    {
                        context.Error($"Error executing handler: {error}");
                        failed = true;
                        return false;
                    }

                    return true;
                };
            await WatchRunner.RunAsync(plan, client, handler,
                (error, wait) => context.Error($"[ERR] consul.watch: Watch errored: type={plan.Type} error=\"{error.Message}\" retry={GoDuration.Format(wait)}"),
                retry, shutdown);
            return failed ? 1 : 0;
        });
    }

    /// <summary>The flags as Consul's watch parameters: only those given, as the JSON object <see cref="WatchPlan.Parse"/> reads.</summary>
    private static JsonElement Parameters(
        string type, string key, string prefix, string service, IReadOnlyList<string> tags, bool stale, string state, string name, bool? passingOnly)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            void Optional(string parameter, string value)
            {
                if (value.Length > 0)
                {
                    writer.WriteString(parameter, value);
                }
            }

            Optional("key", key);
            Optional("prefix", prefix);
            Optional("service", service);
            if (tags.Count > 0)
            {
                writer.WriteStartArray("tag");
                foreach (var tag in tags)
                {
                    writer.WriteStringValue(tag);
                }

                writer.WriteEndArray();
            }

            if (stale)
            {
                writer.WriteBoolean("stale", true);
            }

            Optional("state", state);
            Optional("name", name);
            if (passingOnly is { } passing)
            {
                writer.WriteBoolean("passingonly", passing);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Runs the handler to its end with the update on stdin, its output copied to the command's
    /// own; null when it exited 0, else what went wrong. Cancelling kills it with its children.
    /// </summary>
    private static async Task<string?> RunHandlerAsync(ProcessStartInfo startInfo, WatchUpdate update, CliContext context, CancellationToken ct)
    {
        using var process = ChildProcesses.Create(startInfo);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return e.Message;
        }

        var copies = Task.WhenAll(
            CopyAsync(process.StandardOutput.BaseStream, context.Stdout),
            CopyAsync(process.StandardError.BaseStream, context.Stderr));
        try
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(update.HandlerBody(), ct);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // A handler that exits without reading its input is not an error.
            }

            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
            {
                // It ended on its own meanwhile.
            }

            await process.WaitForExitAsync(CancellationToken.None);
            await copies;
            return null;
        }

        await copies;
        return process.ExitCode == 0 ? null : $"exit status {process.ExitCode}";
    }

    /// <summary>Copies a child's output stream, decoded as UTF-8, to one of the command's writers as it arrives.</summary>
    internal static async Task CopyAsync(Stream from, TextWriter to)
    {
        var buffer = new byte[4096];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            var count = decoder.GetChars(buffer, 0, read, chars, 0);
            lock (to)
            {
                to.Write(chars, 0, count);
                to.Flush();
            }
        }
    }
}
