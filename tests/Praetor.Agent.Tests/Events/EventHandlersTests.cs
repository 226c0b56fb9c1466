using System.Diagnostics;
using Praetor.Agent.Events;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Tests.Events;

public sealed class EventHandlersTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("praetor-handlers-").FullName;

    private static readonly HandlerSelf Self = new("node-a", new Dictionary<string, string> { ["role"] = "consul", ["dc"] = "dc1", ["my-tag.x"] = "v" });

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out(string name) => Path.Combine(_dir, name);

    private static async Task<string> ReadWhenWrittenAsync(string path)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (File.Exists(path + ".done"))
            {
                return await File.ReadAllTextAsync(path);
            }
            await Task.Delay(20);
        }
        throw new TimeoutException(path);
    }

    private static SerfMember Member(string name, byte[] addr, Dictionary<string, string> tags) =>
        new(name, addr, 8301, tags, MemberStatus.Alive, new ProtocolVersions(1, 5, 5, 2, 5, 4));

    [Fact]
    public async Task A_user_event_script_gets_serfs_environment_and_the_payload_on_stdin()
    {
        var output = Out("user");
        await using var handlers = new EventHandlers(
            EventScript.Parse($"user:deploy=env | grep ^SERF_ | sort > {output}; cat >> {output}; touch {output}.done"), () => Self);
        Assert.True(handlers.Dispatch(HandlerEvent.User("deploy", 42, "v1.2"u8.ToArray())));
        var text = await ReadWhenWrittenAsync(output);
        Assert.Equal(
            "SERF_EVENT=user\nSERF_SELF_NAME=node-a\nSERF_SELF_ROLE=consul\nSERF_TAG_DC=dc1\nSERF_TAG_MY_TAG_X=v\nSERF_TAG_ROLE=consul\n" +
            "SERF_USER_EVENT=deploy\nSERF_USER_LTIME=42\nv1.2\n",
            text);
    }

    [Fact]
    public async Task A_member_event_script_reads_one_line_per_member()
    {
        var output = Out("members");
        await using var handlers = new EventHandlers(
            EventScript.Parse($"member-join,member-failed=echo $SERF_EVENT > {output}; cat >> {output}; touch {output}.done"), () => Self);
        handlers.Dispatch(HandlerEvent.Member(new SerfMemberEvent(SerfEventType.MemberFailed,
        [
            Member("web-1", [10, 0, 0, 1], new() { ["role"] = "node", ["dc"] = "dc1" }),
            Member("odd\tname", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 2], new() { ["role"] = "line\nbreak" }),
        ])));
        var text = await ReadWhenWrittenAsync(output);
        Assert.Equal(
            "member-failed\n" +
            "web-1\t10.0.0.1\tnode\tdc=dc1,role=node\n" +
            "odd\\tname\t10.0.0.2\tline\\nbreak\trole=line\\nbreak\n",
            text);
    }

    [Fact]
    public async Task A_script_runs_with_SIGPIPE_at_its_default_action_as_serfs_do()
    {
        var output = Out("sigpipe");
        await using var handlers = new EventHandlers(
            EventScript.Parse($"user=(yes | head -n 1; grep '^SigIgn' /proc/self/status) > {output} 2>&1; touch {output}.done"), () => Self);
        handlers.Dispatch(HandlerEvent.User("deploy", 1, null));
        var lines = (await ReadWhenWrittenAsync(output)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("y", lines[0]);
        Assert.False(Checks.ProcessProbe.SignalIgnored(lines[1], 13), $"SIGPIPE ignored in the handler: {string.Join('\n', lines)}");
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task Scripts_that_do_not_match_are_not_run_and_updates_apply_to_later_events()
    {
        var output = Out("update");
        await using var handlers = new EventHandlers(EventScript.Parse($"user:other=touch {output}.wrong"), () => Self);
        handlers.Dispatch(HandlerEvent.User("deploy", 1, null));
        await handlers.WhenIdleAsync();
        Assert.False(File.Exists(output + ".wrong"));
        handlers.UpdateScripts(EventScript.Parse($"user:deploy=echo $SERF_USER_EVENT > {output}; touch {output}.done"));
        handlers.Dispatch(HandlerEvent.User("deploy", 2, null));
        Assert.Equal("deploy\n", await ReadWhenWrittenAsync(output));
    }

    [Fact]
    public async Task Dispatch_never_waits_for_scripts_and_at_most_the_limit_run_at_once()
    {
        var running = Out("running");
        // Each run records the number of runs under way (by files) at its start, then sleeps.
        var script = $"touch {running}.$$; ls {running}.* | wc -l >> {Out("counts")}; sleep 0.3; rm {running}.$$";
        await using var handlers = new EventHandlers(EventScript.Parse(script), () => Self, maxConcurrent: 2);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 6; i++)
        {
            Assert.True(handlers.Dispatch(HandlerEvent.User("e", (ulong)i, null)));
        }
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(200), $"dispatching took {stopwatch.Elapsed}");
        await handlers.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var counts = (await File.ReadAllLinesAsync(Out("counts"))).Select(line => int.Parse(line.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(6, counts.Count);
        Assert.All(counts, c => Assert.InRange(c, 1, 2));
        Assert.Equal(6, handlers.Started);
        Assert.Equal(0, handlers.Failed);
    }

    [Fact]
    public async Task A_full_queue_drops_new_events_and_counts_them()
    {
        await using var handlers = new EventHandlers(EventScript.Parse("sleep 2"), () => Self, maxConcurrent: 1, queueCapacity: 2);
        var accepted = 0;
        for (var i = 0; i < 10; i++)
        {
            accepted += handlers.Dispatch(HandlerEvent.User("e", (ulong)i, null)) ? 1 : 0;
        }
        Assert.InRange(accepted, 2, 4);
        Assert.Equal(10 - accepted, handlers.Dropped);
    }

    [Fact]
    public async Task Failing_scripts_and_timeouts_are_counted_and_do_not_stop_the_next()
    {
        var output = Out("after");
        await using var handlers = new EventHandlers(EventScript.Parse("user:fail=exit 3"), () => Self, timeout: TimeSpan.FromMilliseconds(300));
        handlers.Dispatch(HandlerEvent.User("fail", 1, null));
        await handlers.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, handlers.Failed);
        handlers.UpdateScripts([.. EventScript.Parse("user:slow=sleep 30"), .. EventScript.Parse($"user:ok=touch {output}; touch {output}.done")]);
        var stopwatch = Stopwatch.StartNew();
        handlers.Dispatch(HandlerEvent.User("slow", 2, null));
        handlers.Dispatch(HandlerEvent.User("ok", 3, null));
        await ReadWhenWrittenAsync(output);
        await handlers.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20));
        Assert.Equal(2, handlers.Failed);
    }

    [Fact]
    public void Tag_names_become_environment_names_as_serf_makes_them()
    {
        Assert.Equal("ROLE", EventScriptInvocation.SanitizeTagName("role"));
        Assert.Equal("MY_TAG_X_1", EventScriptInvocation.SanitizeTagName("my-tag.x/1"));
    }

    [Fact]
    public void A_payload_already_ending_in_a_newline_is_sent_as_is()
    {
        Assert.Equal("a\n"u8.ToArray(), EventScriptInvocation.Stdin(HandlerEvent.User("e", 1, "a\n"u8.ToArray())));
        Assert.Empty(EventScriptInvocation.Stdin(HandlerEvent.User("e", 1, null)));
    }
}
