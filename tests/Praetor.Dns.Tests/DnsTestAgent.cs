using Praetor.Agent;
using Praetor.Dns.Wire;
using Praetor.State.Catalog;

namespace Praetor.Dns.Tests;

/// <summary>An in-process dev agent (node <c>me</c>, 127.0.0.1, no HTTP or DNS listener of its own) with helpers to fill its catalog and ask it questions.</summary>
internal sealed class DnsTestAgent : IAsyncDisposable
{
    private DnsTestAgent(Agent.Agent agent)
    {
        Agent = agent;
        Resolver = new DnsResolver(agent);
    }

    public Agent.Agent Agent { get; }

    public DnsResolver Resolver { get; }

    public static async Task<DnsTestAgent> StartAsync(Func<AgentConfig, AgentConfig>? configure = null)
    {
        var config = new AgentConfig { DevMode = true, Server = true, NodeName = "me", HttpPort = -1, DnsPort = -1, SerfLanPort = -1, SerfWanPort = -1 };
        var agent = Praetor.Agent.Agent.Start(configure is null ? config : configure(config));
        await agent.Ready.WaitAsync(TimeSpan.FromSeconds(10));
        return new DnsTestAgent(agent);
    }

    public static HealthCheck Check(string node, string id, string status, string serviceId = "", string serviceName = "") =>
        new() { Node = node, CheckId = id, Name = id, Status = status, ServiceId = serviceId, ServiceName = serviceName };

    /// <summary>Registers a node (and optionally one service with a check of <paramref name="status"/>, plus any extra checks).</summary>
    public async Task RegisterAsync(
        string node, string address, string? service = null, string? id = null, int port = 80, string serviceAddress = "",
        string[]? tags = null, string status = HealthStatus.Passing, IReadOnlyDictionary<string, string>? meta = null,
        int weightPassing = 1, int weightWarning = 1, params HealthCheck[] checks)
    {
        var catalogNode = new CatalogNode { Node = node, Address = address, Meta = meta ?? new Dictionary<string, string>() };
        ServiceInstance? instance = null;
        var all = new List<HealthCheck>(checks);
        if (service is not null)
        {
            id ??= service;
            instance = new ServiceInstance
            {
                Node = node, Id = id, Service = service, Port = port, Tags = tags ?? [], Address = serviceAddress,
                WeightPassing = weightPassing, WeightWarning = weightWarning,
            };
            all.Add(Check(node, "check:" + id, status, id, service));
        }
        var error = await Agent.Catalog.RegisterAsync(new CatalogRegistration(catalogNode, instance, all), CancellationToken.None);
        Assert.Null(error);
    }

    public static DnsQuery Query(string name, DnsRecordType type, ushort @class = DnsClass.Internet, byte opcode = 0, ushort? edns = null) =>
        new(0x1234, opcode, true, false, name, (ushort)type, @class, edns, false);

    public Task<DnsResponse?> AskAsync(string name, DnsRecordType type, ushort @class = DnsClass.Internet, byte opcode = 0) =>
        Resolver.ResolveAsync(Query(name, type, @class, opcode), CancellationToken.None);

    /// <summary>Asks and insists on a response (not a hand-off to the recursors).</summary>
    public async Task<DnsResponse> AnswerAsync(string name, DnsRecordType type)
    {
        var response = await AskAsync(name, type);
        Assert.NotNull(response);
        return response;
    }

    public ValueTask DisposeAsync() => Agent.DisposeAsync();
}
