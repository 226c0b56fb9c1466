using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Text;
using Praetor.Agent.Checks;
using Praetor.Client;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Events;

/// <summary>
/// Runs one handler script for one event as Serf's agent does (invokeEventScript): through
/// <c>/bin/sh -c</c> (<c>cmd /C</c> on Windows) with the agent's environment plus SERF_EVENT,
/// SERF_SELF_NAME, SERF_SELF_ROLE, SERF_TAG_&lt;TAG&gt; (upper-cased, other than [A-Z0-9_] as
/// <c>_</c>) and, for user events, SERF_USER_EVENT and SERF_USER_LTIME. Stdin carries a member
/// event's members, one <c>name\taddress\trole\ttags</c> line each (tags <c>k=v,k2=v2</c>; tabs and
/// newlines in name, role and tags escaped), or a user event's payload with a newline added when it
/// lacks one. Stdout and stderr are kept together, the last 8 KiB.
/// </summary>
public static class EventScriptInvocation
{
    /// <summary>Serf keeps this much of a handler's output (maxBufSize).</summary>
    public const int OutputMaxBytes = 8 * 1024;

    public static ProcessStartInfo StartInfo(string script, HandlerEvent handlerEvent, HandlerSelf self)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(handlerEvent);
        ArgumentNullException.ThrowIfNull(self);
        var startInfo = OperatingSystem.IsWindows() ? new ProcessStartInfo("cmd") : new ProcessStartInfo("/bin/sh");
        startInfo.ArgumentList.Add(OperatingSystem.IsWindows() ? "/C" : "-c");
        startInfo.ArgumentList.Add(script);
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        var environment = startInfo.Environment;
        environment["SERF_EVENT"] = handlerEvent.Type;
        environment["SERF_SELF_NAME"] = self.Name;
        environment["SERF_SELF_ROLE"] = self.Tags.TryGetValue("role", out var role) ? role : "";
        foreach (var (name, value) in self.Tags)
        {
            environment["SERF_TAG_" + SanitizeTagName(name)] = value;
        }
        if (handlerEvent.Type == "user")
        {
            environment["SERF_USER_EVENT"] = handlerEvent.Name ?? "";
            environment["SERF_USER_LTIME"] = handlerEvent.LTime.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return startInfo;
    }

    /// <summary>A tag name as an environment variable name: upper case, anything but [A-Z0-9_] as <c>_</c>.</summary>
    public static string SanitizeTagName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var chars = name.ToUpperInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                chars[i] = '_';
            }
        }
        return new string(chars);
    }

    /// <summary>What the script reads on stdin for <paramref name="handlerEvent"/>.</summary>
    public static byte[] Stdin(HandlerEvent handlerEvent)
    {
        ArgumentNullException.ThrowIfNull(handlerEvent);
        if (handlerEvent.Type is "user" or "query")
        {
            var payload = handlerEvent.Payload ?? [];
            if (payload.Length > 0 && payload[^1] != (byte)'\n')
            {
                var withNewline = new byte[payload.Length + 1];
                payload.CopyTo(withNewline, 0);
                withNewline[^1] = (byte)'\n';
                return withNewline;
            }
            return payload;
        }
        var text = new StringBuilder();
        foreach (var member in handlerEvent.Members)
        {
            var tags = new List<string>(member.Tags.Count);
            foreach (var key in member.Tags.Keys.Order(StringComparer.Ordinal))
            {
                tags.Add(key + "=" + member.Tags[key]);
            }
            text.Append(Clean(member.Name)).Append('\t')
                .Append(Address(member)).Append('\t')
                .Append(Clean(member.Tags.TryGetValue("role", out var role) ? role : "")).Append('\t')
                .Append(Clean(string.Join(',', tags))).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// Runs the script to its end (or until <paramref name="cancellationToken"/>, which kills it
    /// with its children) and returns its exit code and output; a script that cannot be started
    /// throws <see cref="Win32Exception"/> or <see cref="InvalidOperationException"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo startInfo, byte[] stdin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        ArgumentNullException.ThrowIfNull(stdin);
        using var process = ChildProcesses.Create(startInfo);
        process.Start();
        var output = new OutputTailBuffer(OutputMaxBytes);
        using var stopReading = new CancellationTokenSource();
        var readers = Task.WhenAll(
            output.ReadFromAsync(process.StandardOutput.BaseStream, stopReading.Token),
            output.ReadFromAsync(process.StandardError.BaseStream, stopReading.Token));
        // Written beside the readers: a script that prints before reading stdin must not deadlock us.
        var writer = WriteStdinAsync(process.StandardInput.BaseStream, stdin);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
            {
            }
            await stopReading.CancelAsync();
            throw;
        }
        // A background child may hold the pipes open; do not wait on it for long.
        await Task.WhenAny(Task.WhenAll(readers, writer), Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
        await stopReading.CancelAsync();
        return (process.ExitCode, output.GetText());
    }

    private static string Clean(string value) => value.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Address(SerfMember member)
    {
        if (member.Addr.Length is not (4 or 16))
        {
            return "<nil>";
        }
        var address = new IPAddress(member.Addr);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();
    }

    private static async Task WriteStdinAsync(Stream stdin, byte[] data)
    {
        try
        {
            if (data.Length > 0)
            {
                await stdin.WriteAsync(data);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The script exited or closed stdin without reading it all, as scripts may.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync();
            }
            catch (IOException)
            {
            }
        }
    }
}
