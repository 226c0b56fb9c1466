using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Praetor.Integration;

/// <summary>
/// A real `praetor agent -dev -node NODE` whose DNS interface listens on a free loopback port
/// (UDP and TCP), ready once dig gets any reply from it; plus what the DNS tests do to it: catalog
/// registrations and agent API calls over HTTP, dig queries, and waits for a dig answer to change,
/// always under a deadline. Disposing kills the agent by PID.
/// </summary>
public sealed class DnsAgent : IAsyncDisposable
{
    /// <summary>How long a wait for a DNS answer to change may take; generous for a busy 2-core machine.</summary>
    public static readonly TimeSpan WaitDeadline = TimeSpan.FromSeconds(20);

    /// <summary>How long the DNS listener may take to answer once the HTTP API has a leader.</summary>
    private static readonly TimeSpan DnsReadyDeadline = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private const int PortAttempts = 3;

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly HttpClient _http;

    private DnsAgent(AgentProcess agent, int dnsPort, string nodeName)
    {
        Agent = agent;
        DnsPort = dnsPort;
        NodeName = nodeName;
        _http = new HttpClient { BaseAddress = agent.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
    }

    public AgentProcess Agent { get; }

    public int DnsPort { get; }

    /// <summary>The agent's own node name (`-node`); its address is 127.0.0.1 in -dev.</summary>
    public string NodeName { get; }

    /// <summary>Starts `praetor agent -dev -node NODE -dns-port PORT EXTRA...`.</summary>
    public static Task<DnsAgent> StartAsync(string nodeName, params string[] extraArgs) =>
        StartAsync(nodeName, port => ["-dns-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extraArgs]);

    /// <summary>
    /// Starts `praetor agent -dev -node NODE ARGS(PORT)`, where <paramref name="args"/> puts the DNS
    /// port where it belongs (a flag, or a config file it writes), and waits until the DNS port answers.
    /// </summary>
    public static async Task<DnsAgent> StartAsync(string nodeName, Func<int, IReadOnlyList<string>> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var attempt = 1; ; attempt++)
        {
            var port = PickDnsPort();
            AgentProcess agent;
            try
            {
                agent = await AgentProcess.StartDevAsync(["-node", nodeName, .. args(port)]);
            }
            catch (InvalidOperationException e) when (attempt < PortAttempts && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another process took the DNS port between the pick and the bind.
                continue;
            }
            var dns = new DnsAgent(agent, port, nodeName);
            var ready = await dns.WaitUntilDnsAnswersAsync();
            if (ready is { Status: not null })
            {
                return dns;
            }
            var output = agent.Process.Output;
            await dns.DisposeAsync();
            throw new InvalidOperationException(
                $"the agent's DNS interface on UDP 127.0.0.1:{port} gave no reply within {DnsReadyDeadline}; last dig:\n{ready?.Describe()}\nagent output:\n{output}");
        }
    }

    /// <summary>Awaits agents started concurrently; when any fails to start, disposes the others and throws.</summary>
    public static async Task<DnsAgent[]> StartAllAsync(params Task<DnsAgent>[] starting)
    {
        try
        {
            return await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var task in starting.Where(static t => t.IsCompletedSuccessfully))
            {
                await task.Result.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>dig against this agent: `dig @127.0.0.1 -p PORT QUERY...`.</summary>
    public Task<DigResult> DigAsync(params string[] query) => Dig.RunAsync(DnsPort, query);

    /// <summary>
    /// Runs the dig <paramref name="query"/> until <paramref name="condition"/> holds and returns that
    /// result; fails the test with the last result once <see cref="WaitDeadline"/> passes.
    /// </summary>
    public async Task<DigResult> WaitForDigAsync(Func<DigResult, bool> condition, string what, params string[] query)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + WaitDeadline;
        while (true)
        {
            var result = await DigAsync(query);
            if (condition(result))
            {
                return result;
            }
            if (DateTime.UtcNow >= deadline || Agent.Process.HasExited)
            {
                Assert.Fail($"{what}: not seen within {WaitDeadline}{(Agent.Process.HasExited ? $" (the agent exited with code {Agent.Process.ExitCode})" : "")}; last dig:\n{result.Describe()}");
            }
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>`PUT /v1/catalog/register` with <paramref name="registration"/> (Consul's JSON field names); fails the test unless it answers `true`.</summary>
    public Task RegisterAsync(object registration) => PutAsync("v1/catalog/register", registration, expectTrue: true);

    /// <summary>
    /// Registers node <paramref name="node"/> at <paramref name="address"/> with one service instance and
    /// its service check (ID `ID-check`) in state <paramref name="status"/>.
    /// </summary>
    public Task RegisterServiceAsync(string node, string address, string service, string id, int port,
        string[]? tags = null, string? serviceAddress = null, string status = "passing", IReadOnlyDictionary<string, string>? nodeMeta = null) =>
        RegisterAsync(new
        {
            Node = node,
            Address = address,
            NodeMeta = nodeMeta,
            Service = new { ID = id, Service = service, Tags = tags ?? [], Port = port, Address = serviceAddress },
            Check = new { CheckID = $"{id}-check", Name = $"{id} check", Status = status, ServiceID = id },
        });

    /// <summary>Re-registers only the service check of <paramref name="id"/> (as <see cref="RegisterServiceAsync"/> named it) in state <paramref name="status"/>.</summary>
    public Task SetServiceCheckAsync(string node, string address, string id, string status) =>
        RegisterAsync(new
        {
            Node = node,
            Address = address,
            Check = new { CheckID = $"{id}-check", Name = $"{id} check", Status = status, ServiceID = id },
        });

    /// <summary>PUT <paramref name="path"/> with an optional JSON body; fails the test unless it answers 2xx.</summary>
    public Task PutAsync(string path, object? body = null) => PutAsync(path, body, expectTrue: false);

    private async Task PutAsync(string path, object? body, bool expectTrue)
    {
        using var content = new StringContent(body is null ? "" : JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");
        using var response = await _http.PutAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {(int)response.StatusCode} {response.ReasonPhrase}\n{text}");
        if (expectTrue)
        {
            Assert.True(text.Trim() == "true", $"PUT {path} answered {text}");
        }
    }

    private async Task<DigResult?> WaitUntilDnsAnswersAsync()
    {
        var deadline = DateTime.UtcNow + DnsReadyDeadline;
        DigResult? last = null;
        while (DateTime.UtcNow < deadline && !Agent.Process.HasExited)
        {
            last = await DigAsync($"{NodeName}.node.consul", "A", "+time=1");
            if (last.Status is not null)
            {
                return last;
            }
            await Task.Delay(PollInterval);
        }
        return last;
    }

    /// <summary>A port free on 127.0.0.1 for both UDP and TCP right now (DNS listens on both); released at once.</summary>
    private static int PickDnsPort()
    {
        while (true)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken over TCP; try another.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Agent.DisposeAsync();
    }
}
