using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Agent.Endpoints;
using Praetor.Client;
using Praetor.State.Commands;

namespace Praetor.Agent.Events;

/// <summary>
/// An agent's side of Consul's remote exec (agent/remote_exec.go), run for each <c>_rexec</c> user
/// event that passes this agent's filters when <c>disable_remote_exec</c> is false. The event's
/// payload names a KV prefix and a session (<c>{"Prefix":"_rexec","Session":"&lt;id&gt;"}</c>); the
/// agent reads the job <c>&lt;prefix&gt;/&lt;session&gt;/job</c> (stale, then consistent when missing;
/// JSON <c>Command</c>, <c>Args</c>, <c>Script</c> as base64, <c>Wait</c> in nanoseconds), writes
/// <c>&lt;node&gt;/ack</c>, runs the job (<c>Args</c> directly, else <c>Command</c> — or
/// <c>Script</c> saved to a temporary file — through <c>$SHELL -c</c>, <c>/bin/sh</c> by default),
/// uploads its stdout and stderr together as <c>&lt;node&gt;/out/%05x</c> chunks of at most
/// <see cref="OutputChunkBytes"/>, flushed after <see cref="OutputIdleFlush"/> without output, an
/// empty chunk as heartbeat after each <c>Wait</c> without any, and finally <c>&lt;node&gt;/exit</c>,
/// the decimal exit code (255 when the job could not start or an upload failed). Every write
/// acquires the key with the job's session, so nothing is written once the session is gone. As
/// Consul's, a job is not stopped at <c>Wait</c>: it runs to its end (or the agent's shutdown).
/// </summary>
public sealed class RemoteExec
{
    /// <summary>The most output one chunk key holds (remoteExecOutputSize).</summary>
    public const int OutputChunkBytes = 4 * 1024;

    /// <summary>How long output may wait in a partial chunk (remoteExecOutputDeadline).</summary>
    public static readonly TimeSpan OutputIdleFlush = TimeSpan.FromMilliseconds(500);

    /// <summary>The heartbeat period when the job spec gives none (Consul's CLI default <c>-wait</c>).</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(2);

    private const int ExitCodeFailed = 255;

    /// <summary>Output reads (each at most <see cref="OutputChunkBytes"/>) waiting for upload before the job's pipes stall.</summary>
    private const int PiecesBufferedMax = 16;

    private readonly IKvEndpoint _kv;
    private readonly Func<string> _nodeName;
    private readonly ILogger _log;

    /// <param name="kv">The KV endpoint the job is read from and the results are written to.</param>
    /// <param name="nodeName">This agent's node name, the results' directory.</param>
    public RemoteExec(IKvEndpoint kv, Func<string> nodeName, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(kv);
        ArgumentNullException.ThrowIfNull(nodeName);
        _kv = kv;
        _nodeName = nodeName;
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>What a <c>_rexec</c> event's payload names.</summary>
    public readonly record struct Job(string Prefix, string Session);

    /// <summary>A job's specification as the CLI uploads it.</summary>
    public sealed record Spec(string Command, IReadOnlyList<string> Args, byte[] Script, TimeSpan Wait);

    /// <summary>
    /// Runs the job an event names to its end; every failure is logged, never thrown (cancelling
    /// <paramref name="cancellationToken"/> kills a running job and ends without an exit key).
    /// </summary>
    public async Task RunAsync(UserEvent userEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userEvent);
        if (_log.IsEnabled(LogLevel.Debug))
        {
            _log.LogDebug("agent: received remote exec event (ID: {Id})", userEvent.Id);
        }
        if (!TryParseEvent(userEvent.Payload ?? [], out var job, out var error))
        {
            _log.LogError("agent: failed to decode remote exec event: {Error}", error);
            return;
        }
        try
        {
            var spec = await ReadSpecAsync(job, cancellationToken).ConfigureAwait(false);
            if (spec is null || !await WriteKeyAsync(job, "ack", null, "ack remote exec job", cancellationToken).ConfigureAwait(false))
            {
                return;
            }
            var exitCode = await ExecuteAsync(job, spec, cancellationToken).ConfigureAwait(false);
            await WriteKeyAsync(job, "exit", Encoding.ASCII.GetBytes(exitCode.ToString(CultureInfo.InvariantCulture)),
                "write exit code for remote exec job", cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The agent is stopping; the CLI sees an ack without an exit.
        }
    }

    /// <summary>Reads an event payload (Go's JSON rules: names case-insensitive); false with the reason when it is not one.</summary>
    public static bool TryParseEvent(ReadOnlySpan<byte> payload, out Job job, out string error)
    {
        job = default;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "payload is not a JSON object";
                return false;
            }
            string? prefix = null, session = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.Equals("prefix", StringComparison.OrdinalIgnoreCase))
                {
                    prefix = StringOrNull(property.Value, "Prefix");
                }
                else if (property.Name.Equals("session", StringComparison.OrdinalIgnoreCase))
                {
                    session = StringOrNull(property.Value, "Session");
                }
            }
            if (string.IsNullOrEmpty(session))
            {
                error = "no Session";
                return false;
            }
            job = new Job(prefix ?? "", session);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Reads a job spec; false with the reason when it is not one.</summary>
    public static bool TryParseSpec(ReadOnlySpan<byte> json, out Spec? spec, out string error)
    {
        spec = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "job spec is not a JSON object";
                return false;
            }
            string command = "";
            List<string> args = [];
            byte[] script = [];
            var wait = DefaultWait;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name.ToUpperInvariant())
                {
                    case "COMMAND":
                        command = StringOrNull(value, "Command") ?? "";
                        break;
                    case "ARGS" when value.ValueKind == JsonValueKind.Array:
                        foreach (var arg in value.EnumerateArray())
                        {
                            args.Add(arg.ValueKind == JsonValueKind.String ? arg.GetString()! : throw new FormatException("Args must be strings"));
                        }
                        break;
                    case "ARGS" when value.ValueKind != JsonValueKind.Null:
                        throw new FormatException("Args must be a list of strings");
                    case "SCRIPT" when value.ValueKind == JsonValueKind.String:
                        script = value.GetBytesFromBase64();
                        break;
                    case "SCRIPT" when value.ValueKind != JsonValueKind.Null:
                        throw new FormatException("Script must be base64 text");
                    case "WAIT" when value.ValueKind == JsonValueKind.Number:
                        var nanoseconds = value.TryGetInt64(out var n) && n >= 0 ? n : throw new FormatException("Wait must be a non-negative number of nanoseconds");
                        wait = nanoseconds == 0 ? DefaultWait : TimeSpan.FromTicks(nanoseconds / 100);
                        break;
                    case "WAIT" when value.ValueKind != JsonValueKind.Null:
                        throw new FormatException("Wait must be a number of nanoseconds");
                }
            }
            if (command.Length == 0 && args.Count == 0 && script.Length == 0)
            {
                error = "job spec has no Command, Args or Script";
                return false;
            }
            spec = new Spec(command, args, script, wait);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Go's path.Join of the non-empty parts (the prefix may end in a slash).</summary>
    public static string KeyOf(Job job, params string[] parts)
    {
        var builder = new StringBuilder(job.Prefix.Trim('/'));
        foreach (var part in (string[])[job.Session, .. parts])
        {
            if (builder.Length > 0)
            {
                builder.Append('/');
            }
            builder.Append(part);
        }
        return builder.ToString();
    }

    private static string? StringOrNull(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => throw new FormatException(name + " must be a string"),
    };

    private async Task<Spec?> ReadSpecAsync(Job job, CancellationToken cancellationToken)
    {
        var key = KeyOf(job, "job");
        byte[]? found = null;
        foreach (var consistency in (ConsistencyMode[])[ConsistencyMode.Stale, ConsistencyMode.Default])
        {
            try
            {
                var entry = (await _kv.GetAsync(key, new Endpoints.QueryOptions(Consistency: consistency), cancellationToken).ConfigureAwait(false)).Value;
                if (entry is not null)
                {
                    found = entry.Value ?? [];
                    break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _log.LogError("agent: failed to get remote exec job: {Error}", ex.Message);
                return null;
            }
            _log.LogDebug("agent: trying consistent fetch of remote exec job spec");
        }
        if (found is null)
        {
            _log.LogDebug("agent: remote exec aborted, job spec missing");
            return null;
        }
        if (!TryParseSpec(found, out var spec, out var error))
        {
            _log.LogError("agent: failed to decode remote exec spec: {Error}", error);
            return null;
        }
        return spec;
    }

    private async Task<int> ExecuteAsync(Job job, Spec spec, CancellationToken cancellationToken)
    {
        string? scriptFile = null;
        try
        {
            var command = spec.Command;
            if (spec.Script.Length > 0)
            {
                try
                {
                    scriptFile = Path.GetTempFileName();
                    await File.WriteAllBytesAsync(scriptFile, spec.Script, cancellationToken).ConfigureAwait(false);
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(scriptFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    if (_log.IsEnabled(LogLevel.Debug))
                    {
                        _log.LogDebug("agent: failed to make tmp file: {Error}", ex.Message);
                    }
                    return ExitCodeFailed;
                }
                command = scriptFile;
            }
            var startInfo = StartInfo(spec, command);
            if (_log.IsEnabled(LogLevel.Information))
            {
                _log.LogInformation("agent: remote exec '{Command}'", spec.Args.Count > 0 ? string.Join(' ', spec.Args) : command);
            }
            using var process = ChildProcesses.Create(startInfo);
            try
            {
                process.Start();
            }
            catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
            {
                if (_log.IsEnabled(LogLevel.Debug))
                {
                    _log.LogDebug("agent: failed to start remote exec: {Error}", ex.Message);
                }
                return ExitCodeFailed;
            }
            try
            {
                // The job reads nothing (Consul gives it no stdin): it sees end of input at once.
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The job already exited.
            }
            try
            {
                if (!await UploadOutputAsync(job, spec, process, cancellationToken).ConfigureAwait(false))
                {
                    Kill(process);
                    return ExitCodeFailed;
                }
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                return process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                throw;
            }
        }
        finally
        {
            if (scriptFile is not null)
            {
                try
                {
                    File.Delete(scriptFile);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A leftover temporary file; nothing more to do.
                }
            }
        }
    }

    private static ProcessStartInfo StartInfo(Spec spec, string command)
    {
        ProcessStartInfo startInfo;
        if (spec.Args.Count > 0)
        {
            startInfo = new ProcessStartInfo(spec.Args[0]);
            for (var i = 1; i < spec.Args.Count; i++)
            {
                startInfo.ArgumentList.Add(spec.Args[i]);
            }
        }
        else if (OperatingSystem.IsWindows())
        {
            startInfo = new ProcessStartInfo("cmd") { ArgumentList = { "/C", command } };
        }
        else
        {
            var shell = Environment.GetEnvironmentVariable("SHELL");
            startInfo = new ProcessStartInfo(string.IsNullOrEmpty(shell) ? "/bin/sh" : shell) { ArgumentList = { "-c", command } };
        }
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        return startInfo;
    }

    /// <summary>
    /// Copies the job's output into chunk keys until both its streams end: full chunks at once,
    /// a partial one after <see cref="OutputIdleFlush"/> without output, an empty one after the
    /// spec's wait without any; false when a write failed (the session is gone, or no server).
    /// </summary>
    private async Task<bool> UploadOutputAsync(Job job, Spec spec, Process process, CancellationToken cancellationToken)
    {
        // Bounded as Consul's 16-chunk buffer: a job writing faster than the servers take its output waits on its pipe.
        var pieces = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(PiecesBufferedMax) { SingleReader = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = Task.WhenAll(
            ReadStreamAsync(process.StandardOutput.BaseStream, pieces.Writer, stopReading.Token),
            ReadStreamAsync(process.StandardError.BaseStream, pieces.Writer, stopReading.Token));
        _ = readers.ContinueWith(_ => pieces.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            var buffer = new MemoryStream();
            var number = 0;
            Task<bool>? pending = null;
            while (true)
            {
                pending ??= pieces.Reader.WaitToReadAsync(cancellationToken).AsTask();
                var timeout = buffer.Length > 0 ? OutputIdleFlush : spec.Wait;
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(timeout, timer.Token);
                var first = await Task.WhenAny(pending, delay).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (first == pending)
                {
                    var more = await pending.ConfigureAwait(false);
                    pending = null;
                    if (!more)
                    {
                        return buffer.Length == 0 || await WriteOutputAsync(job, number, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
                    }
                    while (pieces.Reader.TryRead(out var piece))
                    {
                        buffer.Write(piece);
                    }
                    while (buffer.Length >= OutputChunkBytes)
                    {
                        var all = buffer.ToArray();
                        if (!await WriteOutputAsync(job, number++, all[..OutputChunkBytes], cancellationToken).ConfigureAwait(false))
                        {
                            return false;
                        }
                        buffer = new MemoryStream();
                        buffer.Write(all, OutputChunkBytes, all.Length - OutputChunkBytes);
                    }
                    continue;
                }
                // Idle: flush what is buffered, or beat the heart when there was nothing.
                if (!await WriteOutputAsync(job, number++, buffer.ToArray(), cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
                buffer = new MemoryStream();
            }
        }
        finally
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
        }
    }

    private static async Task ReadStreamAsync(Stream stream, ChannelWriter<byte[]> pieces, CancellationToken cancellationToken)
    {
        var buffer = new byte[OutputChunkBytes];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await pieces.WriteAsync(buffer[..read], cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or ChannelClosedException)
        {
            // The job's stream closed under us, or the upload stopped.
        }
    }

    private Task<bool> WriteOutputAsync(Job job, int number, byte[] output, CancellationToken cancellationToken) =>
        WriteKeyAsync(job, "out/" + number.ToString("x5", CultureInfo.InvariantCulture), output, "write output for remote exec job", cancellationToken);

    private async Task<bool> WriteKeyAsync(Job job, string suffix, byte[]? value, string what, CancellationToken cancellationToken)
    {
        var key = KeyOf(job, _nodeName(), suffix);
        try
        {
            var result = await _kv.WriteAsync(new KvOperation(KvVerb.Lock, key, value, Session: job.Session), cancellationToken).ConfigureAwait(false);
            if (result.Committed)
            {
                return true;
            }
            _log.LogError("agent: failed to {What}: write failed ({Error})", what, result.Errors[0].What);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogError("agent: failed to {What}: {Error}", what, ex.Message);
        }
        return false;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }
}
