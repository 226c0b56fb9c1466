namespace Praetor.Cli.Tests.Commands;

public sealed class KvDeleteCommandTests : CliAgentFixture
{
    [Fact]
    public async Task Delete_removes_the_key_and_says_so()
    {
        await PutAsync("k", "v");
        var run = await RunAsync("kv", "delete", "k");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Success! Deleted key: k\n", run.Stdout);
        Assert.Null(await ValueAsync("k"));
    }

    [Fact]
    public async Task Delete_of_a_missing_key_still_succeeds()
    {
        var run = await RunAsync("kv", "delete", "nope");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Success! Deleted key: nope\n", run.Stdout);
    }

    [Fact]
    public async Task Delete_strips_a_leading_slash()
    {
        await PutAsync("k", "v");
        var run = await RunAsync("kv", "delete", "/k");
        Assert.Equal("Success! Deleted key: k\n", run.Stdout);
        Assert.Null(await ValueAsync("k"));
    }

    [Fact]
    public async Task Delete_recurse_removes_the_prefix()
    {
        await PutAsync("foo", "1");
        await PutAsync("food", "2");
        await PutAsync("foo/bar/zip", "3");
        await PutAsync("other", "4");
        var run = await RunAsync("kv", "delete", "-recurse", "foo");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Success! Deleted keys with prefix: foo\n", run.Stdout);
        Assert.Null(await ValueAsync("foo"));
        Assert.Null(await ValueAsync("food"));
        Assert.Null(await ValueAsync("foo/bar/zip"));
        Assert.Equal("4", await ValueAsync("other"));
    }

    [Fact]
    public async Task Delete_recurse_without_a_prefix_removes_everything()
    {
        await PutAsync("a", "1");
        await PutAsync("b/c", "2");
        var run = await RunAsync("kv", "delete", "-recurse");
        Assert.Equal("Success! Deleted keys with prefix: \n", run.Stdout);
        Assert.Empty((await Client.Kv.ListAsync(string.Empty)).Response);
    }

    [Fact]
    public async Task Delete_cas_with_the_current_index_deletes()
    {
        await PutAsync("k", "v");
        var index = (await Client.Kv.GetAsync("k")).Response!.ModifyIndex;
        var run = await RunAsync("kv", "delete", "-cas", $"-modify-index={index}", "k");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Success! Deleted key: k\n", run.Stdout);
        Assert.Null(await ValueAsync("k"));
    }

    [Fact]
    public async Task Delete_cas_with_a_stale_index_reports_cas_failed()
    {
        await PutAsync("k", "v");
        var index = (await Client.Kv.GetAsync("k")).Response!.ModifyIndex;
        await PutAsync("k", "w");
        var run = await RunAsync("kv", "delete", "-cas", $"-modify-index={index}", "k");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Did not delete key k: CAS failed\n", run.Stderr);
        Assert.Equal("w", await ValueAsync("k"));
    }

    [Fact]
    public async Task Delete_cas_needs_a_modify_index()
    {
        var run = await RunAsync("kv", "delete", "-cas", "k");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.\n", run.Stderr);
    }

    [Fact]
    public async Task Delete_modify_index_needs_cas()
    {
        var run = await RunAsync("kv", "delete", "-modify-index=3", "k");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Cannot specify -modify-index without -cas!\n", run.Stderr);
    }

    [Fact]
    public async Task Delete_cas_and_recurse_conflict()
    {
        var run = await RunAsync("kv", "delete", "-cas", "-modify-index=3", "-recurse", "k");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Cannot specify both -cas and -recurse!\n", run.Stderr);
    }

    [Fact]
    public async Task Delete_without_a_key_is_missing_key_argument()
    {
        var run = await RunAsync("kv", "delete");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Missing KEY argument\n", run.Stderr);
    }

    [Fact]
    public async Task Delete_with_two_keys_is_too_many_arguments()
    {
        var run = await RunAsync("kv", "delete", "a", "b");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Too many arguments (expected 1, got 2)\n", run.Stderr);
    }

    [Fact]
    public async Task Delete_with_a_bad_modify_index_names_the_flag()
    {
        var run = await RunAsync("kv", "delete", "-cas", "-modify-index=-1", "k");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("invalid value \"-1\" for flag -modify-index: parse error\n", run.Stderr, StringComparison.Ordinal);
    }
}
