namespace Praetor.Cli.Tests.Commands;

public sealed class KvPutCommandTests : CliAgentFixture
{
    [Fact]
    public async Task Put_writes_the_literal_data_and_says_so()
    {
        var run = await RunAsync("kv", "put", "redis/maxconns", "5");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Success! Data written to: redis/maxconns\n", run.Stdout);
        Assert.Equal("5", await ValueAsync("redis/maxconns"));
    }

    [Fact]
    public async Task Put_without_data_creates_an_empty_key()
    {
        var run = await RunAsync("kv", "put", "webapp/beta/active");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, await ValueAsync("webapp/beta/active"));
    }

    [Fact]
    public async Task Put_with_an_empty_data_argument_creates_an_empty_key()
    {
        var run = await RunAsync("kv", "put", "k", string.Empty);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, await ValueAsync("k"));
    }

    [Fact]
    public async Task Put_at_file_reads_the_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "from a file\n");
            var run = await RunAsync("kv", "put", "license", "@" + path);
            Assert.Equal(0, run.ExitCode);
            Assert.Equal("from a file\n", await ValueAsync("license"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Put_at_a_missing_file_names_the_file_and_fails()
    {
        var run = await RunAsync("kv", "put", "license", "@/no/such/file.lic");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Failed to read file: open /no/such/file.lic: no such file or directory\n", run.Stderr);
        Assert.Null(await ValueAsync("license"));
    }

    [Fact]
    public async Task Put_dash_reads_stdin()
    {
        var run = await RunWithStdinAsync("abcd1234\n", "kv", "put", "config/license", "-");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("abcd1234\n", await ValueAsync("config/license"));
    }

    [Fact]
    public async Task Put_data_starting_with_a_dash_is_literal()
    {
        var run = await RunAsync("kv", "put", "k", "-abc");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("-abc", await ValueAsync("k"));
    }

    [Fact]
    public async Task Put_flags_stores_the_flags()
    {
        var run = await RunAsync("kv", "put", "-flags=42", "k", "v");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(42UL, (await Client.Kv.GetAsync("k")).Response!.Flags);
    }

    [Fact]
    public async Task Put_with_a_bad_flags_value_names_the_flag_and_fails()
    {
        var run = await RunAsync("kv", "put", "-flags=abc", "k", "v");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("invalid value \"abc\" for flag -flags: parse error\n", run.Stderr, StringComparison.Ordinal);
        Assert.Null(await ValueAsync("k"));
    }

    [Fact]
    public async Task Put_base64_decodes_the_data()
    {
        var run = await RunAsync("kv", "put", "-base64", "k", "aGVsbG8=");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("hello", await ValueAsync("k"));
    }

    [Fact]
    public async Task Put_base64_from_stdin_ignores_the_trailing_newline()
    {
        var run = await RunWithStdinAsync("aGVsbG8=\n", "kv", "put", "-base64", "k", "-");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("hello", await ValueAsync("k"));
    }

    [Fact]
    public async Task Put_base64_with_bad_data_fails_without_writing()
    {
        var run = await RunAsync("kv", "put", "-base64", "k", "not base64!");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error! Cannot base 64 decode data: illegal base64 data at input byte", run.Stderr, StringComparison.Ordinal);
        Assert.Null(await ValueAsync("k"));
    }

    [Fact]
    public async Task Put_cas_with_the_current_modify_index_writes()
    {
        await PutAsync("k", "old");
        var index = (await Client.Kv.GetAsync("k")).Response!.ModifyIndex;
        var run = await RunAsync("kv", "put", "-cas", $"-modify-index={index}", "k", "new");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Success! Data written to: k\n", run.Stdout);
        Assert.Equal("new", await ValueAsync("k"));
    }

    [Fact]
    public async Task Put_cas_with_a_stale_modify_index_reports_cas_failed()
    {
        await PutAsync("k", "old");
        var index = (await Client.Kv.GetAsync("k")).Response!.ModifyIndex;
        await PutAsync("k", "newer");
        var run = await RunAsync("kv", "put", "-cas", "-modify-index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "k", "mine");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Did not write to k: CAS failed\n", run.Stderr);
        Assert.Equal("newer", await ValueAsync("k"));
    }

    [Fact]
    public async Task Put_cas_with_index_zero_creates_a_new_key()
    {
        var run = await RunAsync("kv", "put", "-cas", "k", "v");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("v", await ValueAsync("k"));
    }

    [Fact]
    public async Task Put_cas_with_index_zero_on_an_existing_key_says_it_exists()
    {
        await PutAsync("k", "v");
        var run = await RunAsync("kv", "put", "-cas", "-modify-index=0", "k", "w");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Did not write to k: CAS performed with index=0 and key already exists.\n", run.Stderr);
    }

    [Fact]
    public async Task Put_without_a_key_is_missing_key_argument()
    {
        var run = await RunAsync("kv", "put");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Missing KEY argument\n", run.Stderr);
    }

    [Fact]
    public async Task Put_with_three_arguments_is_too_many()
    {
        var run = await RunAsync("kv", "put", "k", "v", "w");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Too many arguments (expected 1 or 2, got 3)\n", run.Stderr);
    }

    [Theory]
    [InlineData("-acquire")]
    [InlineData("-release")]
    public async Task Put_lock_operations_need_a_session(string flag)
    {
        var run = await RunAsync("kv", "put", flag, "k", "v");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Missing -session (required with -acquire and -release)\n", run.Stderr);
    }

    [Fact]
    public async Task Put_acquire_and_release_take_and_give_back_a_lock_as_consul_reports_it()
    {
        using var http = new HttpClient { BaseAddress = Host.HttpAddress };
        using var node = await http.PutAsync("/v1/catalog/register", new StringContent("""{"Node":"cli-test","Address":"127.0.0.1","Checks":[{"CheckID":"serfHealth","Status":"passing"}]}"""));
        async Task<string> SessionAsync()
        {
            using var created = await http.PutAsync("/v1/session/create", new StringContent(""));
            return System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("ID").GetString()!;
        }
        var holder = await SessionAsync();
        var other = await SessionAsync();

        var acquired = await RunAsync("kv", "put", "-acquire", "-session=" + holder, "service/leader", "me");
        var refused = await RunAsync("kv", "put", "-acquire", "-session=" + other, "service/leader", "them");
        var released = await RunAsync("kv", "put", "-release", "-session=" + holder, "service/leader", "me");

        Assert.Equal((0, "Success! Lock acquired on: service/leader\n"), (acquired.ExitCode, acquired.Stdout));
        Assert.Equal((1, "Error! Did not acquire lock\n"), (refused.ExitCode, refused.Stderr));
        Assert.Equal((0, "Success! Lock released on: service/leader\n"), (released.ExitCode, released.Stdout));
        var entry = (await Client.Kv.GetAsync("service/leader")).Response!;
        Assert.Equal((1UL, null), (entry.LockIndex, entry.Session));
    }

    [Fact]
    public async Task Put_of_a_key_starting_with_a_slash_is_refused()
    {
        var run = await RunAsync("kv", "put", "/k", "v");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Failed writing data: Invalid key. Key must not begin with a '/': /k\n", run.Stderr);
    }

    [Fact]
    public async Task Put_bool_flag_does_not_swallow_the_key()
    {
        var run = await RunAsync("kv", "put", "-base64", "true", "dHJ1ZQ==");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("true", await ValueAsync("true"));
    }

    [Fact]
    public async Task Put_refused_by_the_agent_reports_its_status_and_body()
    {
        var big = new string('x', (512 * 1024) + 1);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, big);
            var run = await RunAsync("kv", "put", "big", "@" + path);
            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith("Error! Failed writing data: Unexpected response code: 413 (", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
