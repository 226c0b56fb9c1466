using System.Net;
using System.Net.Sockets;
using Praetor.Agent;

namespace Praetor.Api.Tests;

/// <summary>The host starts the DNS server beside the HTTP API on <c>ports.dns</c>.</summary>
public sealed class AgentHostDnsTests
{
    private static AgentConfig Config(int dnsPort) =>
        new() { DevMode = true, Server = true, HttpPort = AgentConfig.PortDisabled, DnsPort = dnsPort, SerfLanPort = AgentConfig.PortDisabled, SerfWanPort = AgentConfig.PortDisabled, NodeName = "dns-host" };

    [Fact]
    public async Task Port_zero_picks_a_free_port_that_answers_udp_and_tcp()
    {
        await using var host = await AgentHost.StartAsync(Config(0));

        var endpoint = Assert.IsType<IPEndPoint>(host.DnsEndpoint);
        Assert.NotEqual(0, endpoint.Port);
        Assert.Equal(IPAddress.Loopback, endpoint.Address);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // Taking the port proves the server holds it: the bind must fail.
        Assert.Throws<SocketException>(() => udp.Bind(endpoint));
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(endpoint);
        Assert.True(tcp.Connected);
    }

    [Fact]
    public async Task Port_minus_one_disables_dns()
    {
        await using var host = await AgentHost.StartAsync(Config(AgentConfig.PortDisabled));

        Assert.Null(host.DnsEndpoint);
    }

    [Fact]
    public async Task A_taken_port_fails_the_start_with_a_socket_error()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        await Assert.ThrowsAsync<SocketException>(() => AgentHost.StartAsync(Config(port)));
    }
}
