using System.Text;
using Praetor.Agent.Endpoints;
using Praetor.Agent.Events;
using Praetor.State.Sessions;

namespace Praetor.Agent.Tests.Events;

/// <summary>An agent's side of remote exec against a dev agent's KV store: the keys it writes, as Consul's agent writes them.</summary>
public sealed class RemoteExecTests : IAsyncLifetime
{
    private Agent _agent = null!;

    public async Task InitializeAsync()
    {
        _agent = Agent.Start(new AgentConfig
        {
            DevMode = true, Server = true, NodeName = "exec-test", HttpPort = -1, DnsPort = -1, SerfLanPort = -1, SerfWanPort = -1,
        });
        await _agent.Ready.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    private RemoteExec Exec => new(_agent.Kv, () => "exec-test");

    /// <summary>A session (behavior release, so the keys stay to be read) holding the job.</summary>
    private async Task<string> JobAsync(string spec)
    {
        var session = await _agent.Sessions.CreateAsync(new Session { Id = "", Node = "exec-test", NodeChecks = [] }, CancellationToken.None);
        var written = await _agent.Kv.WriteAsync(new State.Commands.KvOperation(State.Commands.KvVerb.Lock, $"_rexec/{session}/job", Encoding.UTF8.GetBytes(spec), Session: session), CancellationToken.None);
        Assert.True(written.Committed);
        return session;
    }

    private static UserEvent Event(string session) =>
        new() { Id = Guid.NewGuid().ToString(), Name = UserEvent.RemoteExecName, Payload = Encoding.UTF8.GetBytes($$"""{"Prefix":"_rexec","Session":"{{session}}"}""") };

    private async Task<Dictionary<string, byte[]>> KeysAsync(string session)
    {
        var entries = (await _agent.Kv.ListAsync($"_rexec/{session}/exec-test/", default, CancellationToken.None)).Value;
        return entries.ToDictionary(e => e.Key[$"_rexec/{session}/exec-test/".Length..], e => e.Value ?? [], StringComparer.Ordinal);
    }

    [Fact]
    public async Task The_agent_acks_uploads_output_in_4_KiB_chunks_and_writes_the_exit_code_all_held_by_the_session()
    {
        // 5000 bytes at once: one full chunk and the rest.
        var session = await JobAsync("""{"Command":"head -c 5000 /dev/zero | tr '\\0' x; exit 7","Wait":2000000000}""");

        await Exec.RunAsync(Event(session), CancellationToken.None);

        var keys = await KeysAsync(session);
        Assert.Equal(["ack", "exit", "out/00000", "out/00001"], keys.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(keys["ack"]);
        Assert.Equal(RemoteExec.OutputChunkBytes, keys["out/00000"].Length);
        Assert.Equal(5000 - RemoteExec.OutputChunkBytes, keys["out/00001"].Length);
        Assert.Equal("7", Encoding.ASCII.GetString(keys["exit"]));
        var entries = (await _agent.Kv.ListAsync($"_rexec/{session}/", default, CancellationToken.None)).Value;
        Assert.All(entries, e => Assert.Equal(session, e.Session));
    }

    [Fact]
    public async Task A_quiet_job_sends_empty_heartbeats_every_wait_and_is_not_stopped_at_the_wait()
    {
        var session = await JobAsync("""{"Command":"sleep 1; echo done","Wait":200000000}""");

        await Exec.RunAsync(Event(session), CancellationToken.None);

        var keys = await KeysAsync(session);
        var outputs = keys.Where(k => k.Key.StartsWith("out/", StringComparison.Ordinal)).OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Value).ToList();
        Assert.True(outputs.Count >= 2, $"{outputs.Count} output keys");
        Assert.Empty(outputs[0]);
        Assert.Equal("done\n", Encoding.UTF8.GetString(outputs[^1]));
        Assert.Equal("0", Encoding.ASCII.GetString(keys["exit"]));
    }

    [Fact]
    public async Task Args_run_directly_and_a_program_that_cannot_start_exits_255()
    {
        var session = await JobAsync("""{"Args":["/nonexistent/praetor-program"],"Wait":2000000000}""");

        await Exec.RunAsync(Event(session), CancellationToken.None);

        var keys = await KeysAsync(session);
        Assert.Equal("255", Encoding.ASCII.GetString(keys["exit"]));
    }

    [Fact]
    public async Task Without_the_session_nothing_is_acked_or_run()
    {
        var marker = Path.Combine(Path.GetTempPath(), "praetor-rexec-" + Guid.NewGuid().ToString("N"));
        var session = await JobAsync($$"""{"Command":"touch {{marker}}","Wait":2000000000}""");
        await _agent.Kv.WriteAsync(new State.Commands.KvOperation(State.Commands.KvVerb.Set, $"_rexec/other/job",
            (await _agent.Kv.GetAsync($"_rexec/{session}/job", default, CancellationToken.None)).Value!.Value), CancellationToken.None);

        await Exec.RunAsync(Event("other"), CancellationToken.None);

        Assert.False(File.Exists(marker));
        Assert.Empty((await _agent.Kv.ListAsync("_rexec/other/exec-test/", default, CancellationToken.None)).Value);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"Prefix":"_rexec"}""", "no Session")]
    [InlineData("""{"Prefix":1,"Session":"s"}""", "Prefix must be a string")]
    public void Malformed_event_payloads_are_refused(string payload, string reason)
    {
        Assert.False(RemoteExec.TryParseEvent(Encoding.UTF8.GetBytes(payload), out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "no Command, Args or Script")]
    [InlineData("""{"Command":"x","Wait":"2s"}""", "Wait must be a number of nanoseconds")]
    [InlineData("""{"Command":"x","Wait":-1}""", "non-negative")]
    [InlineData("""{"Args":[1]}""", "Args must be strings")]
    [InlineData("""{"Script":"%%%"}""", "")]
    public void Malformed_job_specs_are_refused(string spec, string reason)
    {
        Assert.False(RemoteExec.TryParseSpec(Encoding.UTF8.GetBytes(spec), out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_reads_case_insensitively_with_the_script_in_base64()
    {
        Assert.True(RemoteExec.TryParseSpec("""{"command":"","script":"ZWNobyBoaQ==","wait":1500000000}"""u8, out var spec, out _));
        Assert.Equal("echo hi", Encoding.UTF8.GetString(spec!.Script));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), spec.Wait);
    }
}
