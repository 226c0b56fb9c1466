namespace Praetor.Cli.Tests.Commands;

public sealed class KvGetCommandTests : CliAgentFixture
{
    [Fact]
    public async Task Get_prints_the_raw_value_and_a_newline()
    {
        await PutAsync("foo", "bar");
        var run = await RunAsync("kv", "get", "foo");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("bar\n", run.Stdout);
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public async Task Get_of_an_empty_value_prints_an_empty_line()
    {
        await PutAsync("empty", string.Empty);
        var run = await RunAsync("kv", "get", "empty");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("\n", run.Stdout);
    }

    [Fact]
    public async Task Get_of_a_missing_key_says_no_key_exists_and_fails()
    {
        var run = await RunAsync("kv", "get", "nope");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! No key exists at: nope\n", run.Stderr);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public async Task Get_strips_a_leading_slash()
    {
        await PutAsync("foo", "bar");
        var run = await RunAsync("kv", "get", "/foo");
        Assert.Equal("bar\n", run.Stdout);
    }

    [Fact]
    public async Task Get_without_a_key_is_missing_key_argument()
    {
        var run = await RunAsync("kv", "get");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Missing KEY argument\n", run.Stderr);
    }

    [Fact]
    public async Task Get_with_two_keys_is_too_many_arguments()
    {
        var run = await RunAsync("kv", "get", "a", "b");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Too many arguments (expected 1, got 2)\n", run.Stderr);
    }

    [Fact]
    public async Task Get_detailed_prints_the_metadata_table()
    {
        await PutAsync("foo", "bar", flags: 42);
        var entry = (await Client.Kv.GetAsync("foo")).Response!;
        var run = await RunAsync("kv", "get", "-detailed", "foo");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            $"CreateIndex      {entry.CreateIndex}\n" +
            "Flags            42\n" +
            "Key              foo\n" +
            "LockIndex        0\n" +
            $"ModifyIndex      {entry.ModifyIndex}\n" +
            "Session          -\n" +
            "Value            bar\n",
            run.Stdout);
    }

    [Fact]
    public async Task Get_detailed_base64_encodes_the_value()
    {
        await PutAsync("foo", "bar");
        var run = await RunAsync("kv", "get", "-detailed", "-base64", "foo");
        Assert.EndsWith("Value            YmFy\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_base64_without_detailed_or_recurse_prints_the_raw_value_as_consul_does()
    {
        await PutAsync("foo", "bar");
        var run = await RunAsync("kv", "get", "-base64", "foo");
        Assert.Equal("bar\n", run.Stdout);
    }

    [Fact]
    public async Task Get_recurse_prints_key_colon_value_lines_in_key_order()
    {
        await PutAsync("web/b", "2");
        await PutAsync("web/a", "1");
        await PutAsync("other", "x");
        var run = await RunAsync("kv", "get", "-recurse", "web");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("web/a:1\nweb/b:2\n", run.Stdout);
    }

    [Fact]
    public async Task Get_recurse_without_prefix_lists_everything()
    {
        await PutAsync("a", "1");
        await PutAsync("b/c", "2");
        var run = await RunAsync("kv", "get", "-recurse");
        Assert.Equal("a:1\nb/c:2\n", run.Stdout);
    }

    [Fact]
    public async Task Get_recurse_of_an_empty_prefix_prints_nothing_and_succeeds()
    {
        var run = await RunAsync("kv", "get", "-recurse", "nothing-here");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public async Task Get_recurse_base64_encodes_values()
    {
        await PutAsync("web/a", "bar");
        var run = await RunAsync("kv", "get", "-recurse", "-base64", "web");
        Assert.Equal("web/a:YmFy\n", run.Stdout);
    }

    [Fact]
    public async Task Get_recurse_detailed_separates_entries_with_a_blank_line()
    {
        await PutAsync("web/a", "1");
        await PutAsync("web/b", "2");
        var run = await RunAsync("kv", "get", "-recurse", "-detailed", "web");
        var blocks = run.Stdout.Split("\n\n");
        Assert.Equal(2, blocks.Length);
        Assert.Contains("Key              web/a\n", blocks[0], StringComparison.Ordinal);
        Assert.EndsWith("Value            2\n", blocks[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_keys_lists_names_collapsed_at_the_default_separator()
    {
        await PutAsync("web/bar", "1");
        await PutAsync("web/subdir/x", "2");
        await PutAsync("web/subdir/y", "3");
        var run = await RunAsync("kv", "get", "-keys", "web/");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("web/bar\nweb/subdir/\n", run.Stdout);
    }

    [Fact]
    public async Task Get_keys_with_an_empty_separator_lists_every_key()
    {
        await PutAsync("web/bar", "1");
        await PutAsync("web/subdir/x", "2");
        var run = await RunAsync("kv", "get", "-keys", "-separator=", "web/");
        Assert.Equal("web/bar\nweb/subdir/x\n", run.Stdout);
    }

    [Fact]
    public async Task Get_keys_with_a_custom_separator_collapses_there()
    {
        await PutAsync("a-b-c", "1");
        await PutAsync("a-d", "2");
        var run = await RunAsync("kv", "get", "-keys", "-separator", "-", "a-");
        Assert.Equal("a-b-\na-d\n", run.Stdout);
    }

    [Fact]
    public async Task Get_stale_reads_too()
    {
        await PutAsync("foo", "bar");
        var run = await RunAsync("kv", "get", "-stale", "foo");
        Assert.Equal("bar\n", run.Stdout);
    }

    [Fact]
    public async Task Http_addr_flag_wins_over_the_environment()
    {
        await PutAsync("foo", "bar");
        Environment["CONSUL_HTTP_ADDR"] = $"127.0.0.1:{ClosedPort()}";
        var run = await RunAsync("kv", "get", $"-http-addr=http://{Address}", "foo");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("bar\n", run.Stdout);
    }

    [Fact]
    public async Task Http_addr_in_the_environment_may_carry_a_scheme()
    {
        await PutAsync("foo", "bar");
        Environment["CONSUL_HTTP_ADDR"] = $"http://{Address}";
        var run = await RunAsync("kv", "get", "foo");
        Assert.Equal("bar\n", run.Stdout);
    }

    [Fact]
    public async Task A_refused_connection_names_the_address_and_fails()
    {
        var port = ClosedPort();
        var run = await RunAsync("kv", "get", $"-http-addr=127.0.0.1:{port}", "foo");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            $"Error querying Consul agent: Get \"http://127.0.0.1:{port}/v1/kv/foo\": dial tcp 127.0.0.1:{port}: connect: connection refused\n",
            run.Stderr);
    }

    [Fact]
    public async Task An_unknown_scheme_is_an_error_connecting()
    {
        var run = await RunAsync("kv", "get", "-http-addr=ftp://127.0.0.1:1", "foo");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error connecting to Consul agent: Unknown protocol scheme: ftp\n", run.Stderr);
    }

    [Fact]
    public async Task Tls_flags_are_refused_by_name()
    {
        var run = await RunAsync("kv", "get", "-ca-file=/tmp/ca.pem", "foo");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error connecting to Consul agent: -ca-file is not supported yet", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_flag_prints_gos_error_and_the_usage_and_fails()
    {
        var run = await RunAsync("kv", "get", "-x", "foo");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("flag provided but not defined: -x\nUsage: praetor kv get [options] [KEY_OR_PREFIX]", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public async Task Help_flag_prints_usage_with_both_option_sections_and_succeeds()
    {
        var run = await RunAsync("kv", "get", "-h");
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Usage: praetor kv get [options] [KEY_OR_PREFIX]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("HTTP API Options\n\n  -ca-file=<string>", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Command Options\n\n  -base64\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("  -separator=<string>\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flags_after_the_key_are_arguments_as_in_go()
    {
        await PutAsync("foo", "bar");
        var run = await RunAsync("kv", "get", "foo", "-detailed");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Too many arguments (expected 1, got 2)\n", run.Stderr);
    }
}
