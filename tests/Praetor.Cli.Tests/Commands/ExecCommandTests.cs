using Praetor.Agent;

namespace Praetor.Cli.Tests.Commands;

/// <summary><c>praetor exec</c> against a dev agent with remote exec enabled: the agent runs the job and the CLI prints it as seed 002 shows.</summary>
public sealed class ExecCommandTests : CliAgentFixture
{
    protected override AgentConfig Config => base.Config with { DisableRemoteExec = false };

    [Fact]
    public async Task Exec_prints_each_line_the_end_and_the_summary_as_seed_002()
    {
        var run = await RunAsync("exec", "-wait=500ms", "echo", "cli-test");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("""
                cli-test: cli-test
                cli-test:
            ==> cli-test: finished with exit code 0
            1 / 1 node(s) completed / acknowledged

            """, run.Stdout);
        Assert.Empty(run.Stderr);
    }

    [Fact]
    public async Task Exec_removes_the_job_keys_and_the_session_afterwards()
    {
        var run = await RunAsync("exec", "-wait=500ms", "true");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty((await Client.Kv.KeysAsync("_rexec/")).Response);
        Assert.Empty((await Client.Kv.KeysAsync("")).Response);
    }

    [Fact]
    public async Task A_failing_command_reports_its_exit_code_and_the_cli_exits_2()
    {
        var run = await RunAsync("exec", "-wait=500ms", "echo oops >&2; exit 3");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("    cli-test: oops\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("==> cli-test: finished with exit code 3\n", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("1 / 1 node(s) completed / acknowledged\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_filter_that_matches_no_agent_ends_with_nobody_acknowledging()
    {
        var marker = Path.Combine(Path.GetTempPath(), "praetor-exec-" + Guid.NewGuid().ToString("N"));
        var run = await RunAsync("exec", "-wait=500ms", "-node=^other$", "touch " + marker);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("0 / 0 node(s) completed / acknowledged\n", run.Stdout);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task A_matching_node_filter_runs_the_job()
    {
        var run = await RunAsync("exec", "-wait=500ms", "-node=^cli-", "echo filtered");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("    cli-test: filtered\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_shell_the_arguments_run_directly()
    {
        var run = await RunAsync("exec", "-wait=500ms", "-shell=false", "echo", "$HOME");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("    cli-test: $HOME\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dash_reads_the_script_from_stdin()
    {
        var run = await RunWithStdinAsync("echo one\necho two\n", "exec", "-wait=500ms", "-");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("    cli-test: one\n    cli-test: two\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_reports_the_session_upload_event_and_ack()
    {
        var run = await RunAsync("exec", "-wait=500ms", "-verbose", "true");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches("^Created remote execution session: [0-9a-f-]{36}\nUploaded remote execution spec\nFired remote execution event: [0-9a-f-]{36}\n==> cli-test: acknowledged\n", run.Stdout);
        Assert.Matches("Completed in [0-9]+\\.[0-9]{2} seconds\n$", run.Stdout);
    }

    [Fact]
    public async Task Another_datacenter_is_refused_before_anything_is_written()
    {
        var run = await RunAsync("exec", "-datacenter=dc2", "true");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Remote exec in another datacenter (dc2) is not supported yet: run it against an agent of dc2\n", run.Stderr);
        Assert.Empty((await Client.Kv.KeysAsync("")).Response);
    }

    [Theory]
    [InlineData(new[] { "exec" }, "Must specify a command to execute")]
    [InlineData(new[] { "exec", "-wait=soon", "true" }, "invalid value \"soon\" for flag -wait")]
    [InlineData(new[] { "exec", "-wait=0s", "true" }, "-wait must be a positive duration")]
    [InlineData(new[] { "exec", "-tag=v1", "true" }, "Cannot provide tag filter without service filter.")]
    [InlineData(new[] { "exec", "-node=(", "true" }, "Failed to compile node filter regexp")]
    [InlineData(new[] { "exec", "-shell=false", "-" }, "Cannot configure -shell=false when reading from stdin")]
    public async Task Bad_input_is_refused_before_anything_is_written(string[] args, string message)
    {
        var run = await RunAsync(args);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        Assert.Empty((await Client.Kv.KeysAsync("")).Response);
    }
}

/// <summary><c>praetor exec</c> against a dev agent with remote exec disabled (the default, as Consul's).</summary>
public sealed class ExecDisabledCommandTests : CliAgentFixture
{
    [Fact]
    public async Task The_agent_runs_nothing_and_the_cli_says_remote_exec_is_disabled_and_how_to_enable_it()
    {
        Assert.True(Host.Agent.Config.DisableRemoteExec);
        var marker = Path.Combine(Path.GetTempPath(), "praetor-exec-" + Guid.NewGuid().ToString("N"));

        var run = await RunAsync("exec", "-wait=500ms", "touch " + marker);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("0 / 0 node(s) completed / acknowledged\n", run.Stdout);
        Assert.Contains("Remote exec is disabled on agent \"cli-test\"", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("set \"disable_remote_exec\": false in that agent's configuration and restart it", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
        // The job key is cleaned up as after any run.
        Assert.Empty((await Client.Kv.KeysAsync("")).Response);
    }
}
