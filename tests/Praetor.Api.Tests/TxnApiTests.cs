using System.Net;
using System.Text.Json;

namespace Praetor.Api.Tests;

public sealed class TxnApiTests : AgentFixture
{
    [Fact]
    public async Task A_committed_txn_returns_results_without_values_for_writes()
    {
        using var response = await TxnAsync($$$"""
            [{"KV":{"Verb":"set","Key":"t/a","Value":"{{{B64("1")}}}","Flags":7}},
             {"KV":{"Verb":"set","Key":"t/b","Value":"{{{B64("2")}}}"}}]
            """);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = doc.RootElement.GetProperty("Results");
        Assert.Equal(2, results.GetArrayLength());
        Assert.Equal("t/a", results[0].GetProperty("KV").GetProperty("Key").GetString());
        Assert.Equal(7UL, results[0].GetProperty("KV").GetProperty("Flags").GetUInt64());
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("KV").GetProperty("Value").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("Errors").ValueKind);
        // Both writes share one log index.
        Assert.Equal(results[0].GetProperty("KV").GetProperty("ModifyIndex").GetUInt64(), results[1].GetProperty("KV").GetProperty("ModifyIndex").GetUInt64());
        Assert.Equal("2", await Http.GetStringAsync("/v1/kv/t/b?raw"));
    }

    [Fact]
    public async Task A_failing_op_rolls_back_everything_with_409_and_consuls_errors()
    {
        await PutTextAsync("/v1/kv/existing", "v");
        using var response = await TxnAsync($$$"""
            [{"KV":{"Verb":"set","Key":"new","Value":"{{{B64("x")}}}"}},
             {"KV":{"Verb":"cas","Key":"existing","Value":"{{{B64("y")}}}","Index":999}},
             {"KV":{"Verb":"check-not-exists","Key":"existing"}}]
            """);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("Results").ValueKind);
        var errors = doc.RootElement.GetProperty("Errors");
        Assert.Equal(2, errors.GetArrayLength());
        Assert.Equal(1, errors[0].GetProperty("OpIndex").GetInt32());
        Assert.Equal("failed to set key \"existing\", index is stale", errors[0].GetProperty("What").GetString());
        Assert.Equal(2, errors[1].GetProperty("OpIndex").GetInt32());
        Assert.Equal("key \"existing\" exists", errors[1].GetProperty("What").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/v1/kv/new")).StatusCode);
        Assert.Equal("v", await Http.GetStringAsync("/v1/kv/existing?raw"));
    }

    [Fact]
    public async Task A_read_only_txn_returns_values_and_query_headers()
    {
        await PutTextAsync("/v1/kv/r/a", "1");
        await PutTextAsync("/v1/kv/r/b", "2");
        using var response = await TxnAsync("""
            [{"KV":{"Verb":"get","Key":"r/a"}},{"KV":{"Verb":"get-tree","Key":"r/"}}]
            """);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("X-Consul-Index"));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = doc.RootElement.GetProperty("Results");
        Assert.Equal(3, results.GetArrayLength());
        Assert.Equal(B64("1"), results[0].GetProperty("KV").GetProperty("Value").GetString());
        Assert.Equal(B64("2"), results[2].GetProperty("KV").GetProperty("Value").GetString());
    }

    [Fact]
    public async Task Check_index_and_delete_cas_and_delete_tree()
    {
        await PutTextAsync("/v1/kv/x/1", "1");
        await PutTextAsync("/v1/kv/x/2", "2");
        var index = JsonDocument.Parse(await Http.GetStringAsync("/v1/kv/x/1")).RootElement[0].GetProperty("ModifyIndex").GetUInt64();

        using (var stale = await TxnAsync($$$"""[{"KV":{"Verb":"check-index","Key":"x/1","Index":{{{index + 1}}}}}]"""))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Contains($"failed index check for key \\\"x/1\\\", current modify index {index} != {index + 1}", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var ok = await TxnAsync($$$"""
            [{"KV":{"Verb":"check-index","Key":"x/1","Index":{{{index}}}}},{"KV":{"Verb":"delete-cas","Key":"x/1","Index":{{{index}}}}}]
            """))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/v1/kv/x/1")).StatusCode);
        using (var tree = await TxnAsync("""[{"KV":{"Verb":"delete-tree","Key":"x/"}}]"""))
        {
            Assert.Equal(HttpStatusCode.OK, tree.StatusCode);
            Assert.Equal("{\"Results\":[],\"Errors\":null}", await tree.Content.ReadAsStringAsync());
        }
        Assert.Equal("[]", await Http.GetStringAsync("/v1/kv/?keys"));
    }

    [Fact]
    public async Task Check_session_compares_the_lock_holder()
    {
        await PutTextAsync("/v1/kv/s", "1");
        using var unlocked = await TxnAsync("""[{"KV":{"Verb":"check-session","Key":"s","Session":""}}]""");
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        using var other = await TxnAsync("""[{"KV":{"Verb":"check-session","Key":"s","Session":"abc"}}]""");
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Contains("failed session check for key \\\"s\\\", current session \\\"\\\" != \\\"abc\\\"", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Field_names_match_case_insensitively()
    {
        using var response = await TxnAsync($$$"""[{"kv":{"verb":"set","key":"lower","value":"{{{B64("v")}}}"}}]""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("v", await Http.GetStringAsync("/v1/kv/lower?raw"));
    }

    [Theory]
    [InlineData("not json", "Failed to parse body")]
    [InlineData("{\"KV\":{}}", "expected a JSON array")]
    [InlineData("[{\"KV\":{\"Verb\":\"explode\",\"Key\":\"a\"}}]", "unknown KV verb \"explode\"")]
    [InlineData("[{\"KV\":{\"Key\":\"a\"}}]", "missing Verb")]
    [InlineData("[{\"KV\":{\"Verb\":\"set\",\"Key\":\"a\",\"Value\":\"***\"}}]", "Value must be a base64 string")]
    [InlineData("[{\"KV\":{\"Verb\":\"set\",\"Key\":\"a\",\"Flags\":\"7\"}}]", "Flags must be an unsigned integer")]
    [InlineData("[{\"KV\":{\"Verb\":\"cas\",\"Key\":\"a\",\"Index\":-1}}]", "Index must be an unsigned integer")]
    [InlineData("[{\"KV\":{\"Verb\":\"set\"}}]", "missing Key")]
    [InlineData("[{\"KV\":{\"Verb\":\"set\",\"Key\":\"a\",\"Bogus\":1}}]", "unknown KV field \"Bogus\"")]
    [InlineData("[{\"Node\":{\"Verb\":\"set\"}}]", "Node operations are not supported yet")]
    [InlineData("[{\"KV\":{\"Verb\":\"set\",\"Key\":\"a\"}},42]", "operation 1: expected an object")]
    public async Task Malformed_txn_is_400_naming_the_problem_and_applies_nothing(string body, string reason)
    {
        using var response = await TxnAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("[]", await Http.GetStringAsync("/v1/kv/?keys"));
    }

    [Fact]
    public async Task More_than_64_operations_is_413()
    {
        var ops = string.Join(",", Enumerable.Range(0, 65).Select(i => $$$"""{"KV":{"Verb":"set","Key":"k{{{i}}}"}}"""));
        using var response = await TxnAsync($"[{ops}]");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Transaction contains too many operations (65 > 64)", await response.Content.ReadAsStringAsync());
        Assert.Equal("[]", await Http.GetStringAsync("/v1/kv/?keys"));
    }

    [Fact]
    public async Task A_body_over_the_txn_limit_is_413()
    {
        var value = new string('A', 600 * 1024);
        using var response = await TxnAsync($$$"""[{"KV":{"Verb":"set","Key":"big","Value":"{{{value}}}"}}]""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("[]", await Http.GetStringAsync("/v1/kv/?keys"));
    }

    [Fact]
    public async Task Txn_accepts_only_put()
    {
        using var response = await Http.GetAsync("/v1/txn");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
