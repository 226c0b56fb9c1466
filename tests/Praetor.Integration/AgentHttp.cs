using System.Net.Http.Headers;
using System.Text.Json;

namespace Praetor.Integration;

/// <summary>
/// Plain HTTP reads of a running agent's API for tests that check what other clients (the CLI,
/// a script check, a reload) did: JSON bodies, and waits for a condition that use Consul's
/// blocking queries (`?index=N&amp;wait=...`) on endpoints that report `X-Consul-Index`, and short
/// polls on those that do not, always under a deadline.
/// </summary>
public sealed class AgentHttp : IDisposable
{
    /// <summary>How long a wait may take before the test fails; generous for a busy 2-core machine.</summary>
    public static readonly TimeSpan WaitDeadline = TimeSpan.FromSeconds(20);

    /// <summary>The longest single blocking query; short, so a missed wake-up costs little.</summary>
    private const int BlockSeconds = 2;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient _http;
    private readonly AgentProcess _agent;

    public AgentHttp(AgentProcess agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        _agent = agent;
        _http = new HttpClient { BaseAddress = agent.BaseAddress, Timeout = TimeSpan.FromSeconds(BlockSeconds + 15) };
    }

    /// <summary>GET <paramref name="path"/>; fails the test unless it answers 200 with JSON.</summary>
    public async Task<JsonElement> GetJsonAsync(string path) => (await GetAsync(path, CancellationToken.None)).Body;

    /// <summary>
    /// Reads <paramref name="path"/> until <paramref name="condition"/> holds for its body and
    /// returns that body; between reads it blocks on the last `X-Consul-Index` (or, on an endpoint
    /// without one, polls). Fails the test with the last body and the agent's output once
    /// <see cref="WaitDeadline"/> passes.
    /// </summary>
    public async Task<JsonElement> WaitForAsync(string path, Func<JsonElement, bool> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = new CancellationTokenSource(WaitDeadline);
        var (body, index) = await GetAsync(path, CancellationToken.None);
        while (!condition(body))
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"{what}: not seen within {WaitDeadline}; last GET {path}:\n{body.GetRawText()}\n--- agent ---\n{_agent.Process.Output}");
            }
            try
            {
                if (index is { } i)
                {
                    var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
                    (body, index) = await GetAsync($"{path}{separator}index={i}&wait={BlockSeconds}s", deadline.Token);
                }
                else
                {
                    await Task.Delay(PollInterval, deadline.Token);
                    (body, index) = await GetAsync(path, deadline.Token);
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // The next round reports the failure with the last body seen.
            }
        }
        return body;
    }

    private async Task<(JsonElement Body, ulong? Index)> GetAsync(string path, CancellationToken cancel)
    {
        using var response = await _http.GetAsync(path, cancel);
        var text = await response.Content.ReadAsStringAsync(cancel);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {response.ReasonPhrase}\n{text}");
        return (JsonSerializer.Deserialize<JsonElement>(text), ConsulIndex(response.Headers));
    }

    private static ulong? ConsulIndex(HttpResponseHeaders headers) =>
        headers.TryGetValues("X-Consul-Index", out var values) && ulong.TryParse(values.FirstOrDefault(), out var index) ? index : null;

    public void Dispose() => _http.Dispose();
}
