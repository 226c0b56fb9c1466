using System.Text.Json;
using Praetor.Cli.Locking;
using Praetor.Client;

namespace Praetor.Cli.Tests.Commands;

public sealed class LockCommandTests : CliAgentFixture, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string _dir = Directory.CreateTempSubdirectory("praetor-lock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(new[] { "lock" }, "Key prefix and child command must be specified\n")]
    [InlineData(new[] { "lock", "only/prefix" }, "Key prefix and child command must be specified\n")]
    [InlineData(new[] { "lock", "-n=0", "p", "true" }, "Lock holder limit must be positive\n")]
    [InlineData(new[] { "lock", "-timeout=-1s", "p", "true" }, "Timeout must be positive\n")]
    [InlineData(new[] { "lock", "-monitor-retry=-1", "p", "true" }, "Number for 'monitor-retry' must be >= 0\n")]
    [InlineData(new[] { "lock", "-timeout=soon", "p", "true" }, "invalid value \"soon\" for flag -timeout: parse error\n")]
    public async Task Bad_input_is_refused_in_consuls_words(string[] args, string expected)
    {
        var run = await RunAsync(args);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task The_child_runs_while_the_lock_key_is_held_and_the_key_is_removed_after()
    {
        var child = Child("a");
        var run = Start("lock", "svc/leader", child.Script + "; echo \"held=$CONSUL_LOCK_HELD\"");

        await child.ReadyAsync();
        var entry = (await Client.Kv.GetAsync("svc/leader/.lock")).Response;
        Assert.NotNull(entry);
        Assert.Equal(0x2ddccbc058a50c18UL, entry.Flags);
        Assert.False(string.IsNullOrEmpty(entry.Session));
        Assert.Contains(entry.Session, await SessionsAsync());

        child.Go();
        var result = await run.EndAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("held=true\n", result.Stdout);
        Assert.Null((await Client.Kv.GetAsync("svc/leader/.lock")).Response);
        Assert.Empty(await SessionsAsync());
    }

    [Fact]
    public async Task Two_contenders_for_one_lock_run_one_after_the_other()
    {
        var children = new[] { Child("a"), Child("b") };
        var runs = children.Select(c => Start("lock", "-child-exit-code", "job", c.Script)).ToArray();

        await WaitAsync(async () => (await SessionsAsync()).Count == 2, "two sessions");
        var first = await FirstReadyAsync(children);
        var second = children.Single(c => c != first);
        Assert.False(second.IsReady, "both children run at once");

        first.Go();
        await second.ReadyAsync();
        second.Go();
        foreach (var run in runs)
        {
            var result = await run.EndAsync();
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    [Fact]
    public async Task A_semaphore_of_two_runs_two_children_at_once_but_not_three()
    {
        var children = new[] { Child("a", false), Child("b", false), Child("c", false) };
        var runs = children.Select(c => Start("lock", "-n=2", "-child-exit-code", "pool", c.Script)).ToArray();

        await WaitAsync(async () => (await SessionsAsync()).Count == 3, "three sessions");
        await WaitAsync(() => Task.FromResult(children.Count(c => c.IsReady) == 2), "two children running");
        var sessions = await SessionsAsync();
        await WaitAsync(async () => (await Client.Kv.KeysAsync("pool/")).Response.Count == 4, "three contender keys and the lock key");
        var lockEntry = (await Client.Kv.GetAsync("pool/.lock")).Response!;
        Assert.Equal(0xe0f69a2baa414de0UL, lockEntry.Flags);
        using (var value = JsonDocument.Parse(lockEntry.Value!))
        {
            Assert.Equal(2, value.RootElement.GetProperty("Limit").GetInt32());
            var holders = value.RootElement.GetProperty("Holders").EnumerateObject().Select(h => h.Name).ToList();
            Assert.Equal(2, holders.Count);
            Assert.All(holders, h => Assert.Contains(h, sessions));
        }

        var waiting = children.Single(c => !c.IsReady);
        children.First(c => c.IsReady).Go();
        await waiting.ReadyAsync();
        foreach (var child in children)
        {
            child.Go();
        }

        foreach (var run in runs)
        {
            var result = await run.EndAsync();
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        Assert.Empty((await Client.Kv.KeysAsync("pool/")).Response);
    }

    [Fact]
    public async Task A_semaphore_with_another_limit_is_an_error()
    {
        await PutAsync("pool/.lock", "{\"Limit\":3,\"Holders\":{}}", 0xe0f69a2baa414de0);

        var run = await RunAsync("lock", "-n=2", "pool", "true");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Lock acquisition failed: semaphore limit conflict (lock: 3, local: 2)\n", run.Stderr);
    }

    [Fact]
    public async Task A_key_of_another_use_is_an_error()
    {
        await PutAsync("job/.lock", "x");

        var run = await RunAsync("lock", "job", "true");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Lock acquisition failed: Existing key does not match lock use\n", run.Stderr);
    }

    [Fact]
    public async Task Destroying_the_session_stops_the_child_and_exits_nonzero()
    {
        var child = Child("a");
        var run = Start("lock", "-verbose", "job", child.Script);
        await child.ReadyAsync();
        var session = (await Client.Kv.GetAsync("job/.lock")).Response!.Session!;

        await Client.Session.DestroyAsync(session);
        var result = await run.EndAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Lock lost, killing child\n", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("Lock release failed: Lock not held\n", result.Stderr);
        Assert.False(child.WentOn, "the child was not stopped");
    }

    [Fact]
    public async Task Acquisition_gives_up_after_the_timeout()
    {
        var holder = await Client.Session.CreateAsync(new SessionRequest { Name = "other" });
        Assert.True(await Client.Kv.AcquireAsync("job/.lock", ReadOnlyMemory<byte>.Empty, holder, 0x2ddccbc058a50c18));

        var run = await RunAsync("lock", "-timeout=300ms", "job", "true");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Shutdown triggered or timeout during lock acquisition\n", run.Stderr);
        Assert.Equal(holder, (await Client.Kv.GetAsync("job/.lock")).Response!.Session);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 2)]
    public async Task A_failing_child_fails_the_command_only_with_child_exit_code(bool childExitCode, int expected)
    {
        var args = childExitCode ? new[] { "lock", "-child-exit-code", "job", "exit 3" } : ["lock", "job", "exit 3"];

        var run = await RunAsync(args);

        Assert.True(run.ExitCode == expected, run.ToString());
        Assert.Equal("Error running handler: exit status 3\n", run.Stderr);
    }

    [Fact]
    public async Task Without_the_shell_the_arguments_run_as_a_program()
    {
        var run = await RunAsync("lock", "-shell=false", "job", "/bin/echo", "a  b");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("a  b\n", run.Stdout);
    }

    [Theory]
    [InlineData(false, "")]
    [InlineData(true, "line one\nline two\n")]
    public async Task The_child_reads_the_commands_stdin_only_with_pass_stdin(bool passStdin, string expected)
    {
        var run = await RunWithStdinAsync("line one\nline two\n", "lock", $"-pass-stdin={passStdin}", "job", "cat");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(expected, run.Stdout);
        Assert.Null((await Client.Kv.GetAsync("job/.lock")).Response);
    }

    [Fact]
    public async Task Shutdown_stops_the_child_and_releases()
    {
        var child = Child("a");
        var run = Start("lock", "job", child.Script);
        await child.ReadyAsync();

        await run.Shutdown.CancelAsync();
        var result = await run.EndAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Null((await Client.Kv.GetAsync("job/.lock")).Response);
        Assert.Empty(await SessionsAsync());
    }

    /// <summary>A child that marks itself ready, waits for its go file, and marks that it went on.</summary>
    private ChildScript Child(string name, bool exclusive = true) => new(Path.Combine(_dir, name), exclusive);

    private Running Start(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var shutdown = new CancellationTokenSource();
        var context = new CliContext(new StringReader(""), stdout, stderr, Environment);
        var task = LockCommand.RunAsync(args[1..], context, TimeSpan.FromSeconds(1), shutdown.Token);
        return new Running(task, stdout, stderr, shutdown);
    }

    private async Task<List<string>> SessionsAsync()
    {
        using var http = new HttpClient();
        using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri(Host.HttpAddress, "/v1/session/list")));
        return list.RootElement.EnumerateArray().Select(s => s.GetProperty("ID").GetString()!).ToList();
    }

    private static async Task<ChildScript> FirstReadyAsync(ChildScript[] children)
    {
        ChildScript? ready = null;
        await WaitAsync(() => Task.FromResult((ready = children.FirstOrDefault(c => c.IsReady)) is not null), "a child running");
        return ready!;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private sealed record ChildScript(string Path, bool Exclusive)
    {
        /// <summary>An exclusive child fails (exit 9) if another exclusive child of the same directory is inside at the same time.</summary>
        public string Script => Exclusive
            ? $"mkdir {Dir}/inside || exit 9; {Body}; rmdir {Dir}/inside"
            : Body;

        private string Body => $"touch {Path}.ready; while [ ! -f {Path}.go ]; do sleep 0.02; done; touch {Path}.went";

        public bool IsReady => File.Exists(Path + ".ready");

        public bool WentOn => File.Exists(Path + ".went");

        private string Dir => System.IO.Path.GetDirectoryName(Path)!;

        public Task ReadyAsync() => WaitAsync(() => Task.FromResult(IsReady), Path + " running");

        public void Go() => File.WriteAllText(Path + ".go", "");
    }

    private sealed record Running(Task<int> Task, StringWriter Stdout, StringWriter Stderr, CancellationTokenSource Shutdown)
    {
        public async Task<CliRun> EndAsync()
        {
            var exit = await Task.WaitAsync(Deadline);
            Shutdown.Dispose();
            return new CliRun(exit, Stdout.ToString(), Stderr.ToString());
        }
    }
}
