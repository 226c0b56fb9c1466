using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Praetor.Api.Tests;

/// <summary>
/// An <see cref="AgentFixture"/> with helpers for the catalog, health and agent endpoints: JSON
/// reads, and waits that block on Consul's blocking queries (or poll agent-local endpoints) until
/// a condition holds, with a deadline — never a sleep on hope.
/// </summary>
public abstract class CatalogFixture : AgentFixture
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    protected const string Self = "test-node";

    protected async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return Parse(text);
    }

    protected async Task<(JsonElement Body, ulong Index)> GetIndexedAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return (Parse(text), IndexOf(response));
    }

    /// <summary>PUTs a body and asserts 200.</summary>
    protected async Task<string> PutOkAsync(string path, string body = "")
    {
        using var response = await PutAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary>PUTs a body and asserts the status and a plain-text reason containing <paramref name="reason"/>.</summary>
    protected async Task<string> PutRefusedAsync(string path, string body, HttpStatusCode status, string reason)
    {
        using var response = await PutAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"PUT {path} {body}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        return text;
    }

    /// <summary>
    /// Reads a blocking endpoint until <paramref name="condition"/> holds of its body, parking on
    /// `?index=` between reads so each round waits for a change; fails at the deadline.
    /// </summary>
    protected async Task<JsonElement> WaitForAsync(string path, Func<JsonElement, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Deadline);
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        ulong index = 0;
        JsonElement body = default;
        while (DateTime.UtcNow < deadline)
        {
            var query = index == 0 ? path : $"{path}{separator}index={index.ToString(CultureInfo.InvariantCulture)}&wait=2s";
            (body, index) = await GetIndexedAsync(query);
            if (condition(body))
            {
                return body;
            }
        }
        Assert.Fail($"{path} never met the condition; last body: {body}");
        return body;
    }

    /// <summary>Polls a condition (for agent-local endpoints, which do not block) until it holds or the deadline passes.</summary>
    protected static async Task PollAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Deadline);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>The check with an ID in a `[HealthCheck]` array, or null.</summary>
    protected static JsonElement? CheckIn(JsonElement checks, string checkId)
    {
        foreach (var check in checks.EnumerateArray())
        {
            if (check.GetProperty("CheckID").GetString() == checkId)
            {
                return check;
            }
        }
        return null;
    }

    protected static bool HasCheck(JsonElement checks, string checkId, string status) =>
        CheckIn(checks, checkId) is { } check && check.GetProperty("Status").GetString() == status;

    /// <summary>Waits until the catalog shows a check of this node in a state (through `/v1/health/node`).</summary>
    protected Task<JsonElement> WaitForCheckAsync(string checkId, string status, TimeSpan? timeout = null) =>
        WaitForAsync($"/v1/health/node/{Self}", checks => HasCheck(checks, checkId, status), timeout);

    /// <summary>Waits until `/v1/catalog/service/:name` lists <paramref name="count"/> instances.</summary>
    protected Task<JsonElement> WaitForInstancesAsync(string service, int count) =>
        WaitForAsync($"/v1/catalog/service/{service}", instances => instances.GetArrayLength() == count);

    protected static IReadOnlyList<string> Strings(JsonElement array) =>
        [.. array.EnumerateArray().Select(e => e.GetString()!)];

    protected static IReadOnlyList<string> Names(JsonElement obj) =>
        [.. obj.EnumerateObject().Select(p => p.Name)];

    protected static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
