using Praetor.Cli.Flags;
using Praetor.Client;

namespace Praetor.Cli;

/// <summary>
/// What every command that talks to the agent does around its own work, in Consul's words and exit
/// codes: parse its flags, the HTTP API flags among them (help on <c>-h</c>; Go's error, then the
/// help, on a bad flag), refuse extra arguments, build the client ("Error connecting to Consul agent:
/// ..."), and end at the first failed <see cref="RequestAsync{T}"/> with "what failed: error" on
/// stderr and exit 1.
/// </summary>
public sealed class HttpCommand
{
    private readonly string _usage;

    /// <param name="name">The command as typed after <c>praetor</c>, as Go's flag errors name it.</param>
    /// <param name="usage">The usage text that help starts with.</param>
    public HttpCommand(string name, string usage)
    {
        _usage = usage;
        Flags = new GoFlagSet(name);
        Http = new HttpFlags(Flags);
    }

    /// <summary>The command's flags: define its own on it before <see cref="ParseFlags"/>.</summary>
    public GoFlagSet Flags { get; }

    public HttpFlags Http { get; }

    /// <summary>Null to go on, or the exit code after help or a flag error (see <see cref="CommandHelp.ParseFlags"/>).</summary>
    public int? ParseFlags(IReadOnlyList<string> args, CliContext context) =>
        CommandHelp.ParseFlags(Flags, args, context, _usage);

    /// <summary>Consul's usage error: <paramref name="message"/>, a blank line and the help on stderr; exit code 1.</summary>
    public int UsageError(string message, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Error(message);
        context.Error("");
        context.Error(CommandHelp.Format(_usage, Flags));
        return 1;
    }

    /// <summary>True, after saying so on stderr, when more than <paramref name="max"/> arguments follow the flags.</summary>
    public bool TooManyArguments(int max, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Flags.Args.Count <= max)
        {
            return false;
        }

        context.Error($"Too many arguments (expected {max}, got {Flags.Args.Count})");
        return true;
    }

    /// <summary>Builds the client from the HTTP flags and runs <paramref name="work"/> with it; its exit code, or 1 when building or a request fails.</summary>
    public async Task<int> RunAsync(CliContext context, Func<PraetorClient, Task<int>> work)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(work);
        if (!Http.TryCreateClient(context, out var client, out var error))
        {
            context.Error($"Error connecting to Consul agent: {error}");
            return 1;
        }

        using (client)
        {
            try
            {
                return await work(client);
            }
            catch (RequestFailedException e)
            {
                context.Error(e.Message);
                return 1;
            }
        }
    }

    /// <summary>
    /// One request (or a step made of requests) inside <see cref="RunAsync"/>: if it throws, the
    /// command ends there with "<paramref name="failure"/>: the error's message" and exit 1.
    /// </summary>
    public static async Task<T> RequestAsync<T>(string failure, Func<Task<T>> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await request();
        }
        catch (Exception e) when (e is not RequestFailedException)
        {
            throw new RequestFailedException($"{failure}: {e.Message}", e);
        }
    }

    /// <inheritdoc cref="RequestAsync{T}"/>
    public static Task RequestAsync(string failure, Func<Task> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RequestAsync(failure, async () =>
        {
            await request();
            return true;
        });
    }

    private sealed class RequestFailedException(string message, Exception inner) : Exception(message, inner);
}
