namespace Praetor.Cli.Tests.Commands;

public sealed class KvExportImportTests : CliAgentFixture
{
    [Fact]
    public async Task Export_prints_a_tab_indented_array_of_key_flags_value()
    {
        await PutAsync("app/a", "hello", flags: 7);
        await PutAsync("app/b", string.Empty);
        await PutAsync("other", "x");
        var run = await RunAsync("kv", "export", "app");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            "[\n" +
            "\t{\n\t\t\"key\": \"app/a\",\n\t\t\"flags\": 7,\n\t\t\"value\": \"aGVsbG8=\"\n\t},\n" +
            "\t{\n\t\t\"key\": \"app/b\",\n\t\t\"flags\": 0,\n\t\t\"value\": \"\"\n\t}\n" +
            "]\n",
            run.Stdout);
    }

    [Fact]
    public async Task Export_of_an_empty_prefix_prints_an_empty_array()
    {
        var run = await RunAsync("kv", "export", "none");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("[]\n", run.Stdout);
    }

    [Fact]
    public async Task Export_with_two_prefixes_is_too_many_arguments()
    {
        var run = await RunAsync("kv", "export", "a", "b");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Too many arguments (expected 1, got 2)\n", run.Stderr);
    }

    [Fact]
    public async Task Import_of_literal_json_writes_each_key_and_lists_it()
    {
        var json = """[{"key":"a","flags":3,"value":"MQ=="},{"key":"b/c","flags":0,"value":""}]""";
        var run = await RunAsync("kv", "import", json);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Imported: a\nImported: b/c\n", run.Stdout);
        Assert.Equal("1", await ValueAsync("a"));
        Assert.Equal(3UL, (await Client.Kv.GetAsync("a")).Response!.Flags);
        Assert.Equal(string.Empty, await ValueAsync("b/c"));
    }

    [Fact]
    public async Task Import_matches_field_names_case_insensitively_as_go_does()
    {
        var run = await RunAsync("kv", "import", """[{"Key":"a","Flags":1,"Value":"MQ=="}]""");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("1", await ValueAsync("a"));
    }

    [Fact]
    public async Task Import_reads_stdin_and_files()
    {
        var run = await RunWithStdinAsync("""[{"key":"from-stdin","flags":0,"value":"eA=="}]""", "kv", "import", "-");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("x", await ValueAsync("from-stdin"));

        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """[{"key":"from-file","flags":0,"value":"eQ=="}]""");
            run = await RunAsync("kv", "import", "@" + path);
            Assert.Equal(0, run.ExitCode);
            Assert.Equal("y", await ValueAsync("from-file"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Import_prefix_joins_and_cleans_keys_keeping_a_trailing_slash()
    {
        var json = """[{"key":"a","flags":0,"value":"MQ=="},{"key":"dir/","flags":0,"value":""},{"key":"x//y","flags":0,"value":""}]""";
        var run = await RunAsync("kv", "import", "-prefix=backup/", json);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Imported: backup/a\nImported: backup/dir/\nImported: backup/x/y\n", run.Stdout);
        Assert.Equal("1", await ValueAsync("backup/a"));
    }

    [Fact]
    public async Task Export_then_import_round_trips_binary_values_and_flags()
    {
        byte[] binary = [0, 255, 1, 128, 10];
        Assert.True(await Client.Kv.PutAsync("bin", binary, flags: 9));
        var exported = await RunAsync("kv", "export");
        Assert.True(await Client.Kv.DeleteTreeAsync(string.Empty));
        var imported = await RunWithStdinAsync(exported.Stdout, "kv", "import", "-");
        Assert.Equal(0, imported.ExitCode);
        var entry = (await Client.Kv.GetAsync("bin")).Response!;
        Assert.Equal(binary, entry.Value);
        Assert.Equal(9UL, entry.Flags);
    }

    [Fact]
    public async Task Import_of_malformed_json_cannot_unmarshal_and_writes_nothing()
    {
        var run = await RunAsync("kv", "import", "[{\"key\":");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Cannot unmarshal data: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_of_a_bad_base64_value_names_the_key()
    {
        var run = await RunAsync("kv", "import", """[{"key":"k","flags":0,"value":"%%%"}]""");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error base 64 decoding value for key k: ", run.Stderr, StringComparison.Ordinal);
        Assert.Null(await ValueAsync("k"));
    }

    [Fact]
    public async Task Import_without_data_is_missing_data_argument()
    {
        var run = await RunAsync("kv", "import");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Missing DATA argument\n", run.Stderr);
    }

    [Fact]
    public async Task Import_of_an_empty_argument_is_empty_data()
    {
        var run = await RunAsync("kv", "import", string.Empty);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Empty DATA argument\n", run.Stderr);
    }

    [Fact]
    public async Task Import_with_two_arguments_is_too_many()
    {
        var run = await RunAsync("kv", "import", "[]", "[]");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Too many arguments (expected 1, got 2)\n", run.Stderr);
    }

    [Fact]
    public async Task Import_of_a_missing_file_names_the_file()
    {
        var run = await RunAsync("kv", "import", "@/no/such/export.json");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error! Failed to read file: open /no/such/export.json: no such file or directory\n", run.Stderr);
    }
}
