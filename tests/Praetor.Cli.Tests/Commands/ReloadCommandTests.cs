using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Praetor.Cli.Tests.Commands;

public sealed class ReloadCommandTests : CliAgentFixture
{
    [Fact]
    public async Task Reload_triggers_the_agents_reload()
    {
        var reloads = 0;
        Host.Agent.ConfigSource = () =>
        {
            reloads++;
            return Host.Agent.Config;
        };
        var run = await RunAsync("reload");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Configuration reload triggered\n", run.Stdout);
        Assert.Equal(1, reloads);
    }

    [Fact]
    public async Task Reload_reports_the_agents_refusal()
    {
        var run = await RunAsync("reload");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error reloading: Unexpected response code: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_sends_a_put_with_the_token()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = ServeOneAsync(listener);
        var run = await RunAsync("reload", $"-http-addr=127.0.0.1:{port}", "-token=secret");
        var request = await serve;
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Configuration reload triggered\n", run.Stdout);
        Assert.StartsWith("PUT /v1/agent/reload HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("X-Consul-Token: secret\r\n", request, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Reload_against_a_closed_port_fails()
    {
        var run = await RunAsync("reload", $"-http-addr=127.0.0.1:{ClosedPort()}");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error reloading: Put \"http://127.0.0.1:", run.Stderr, StringComparison.Ordinal);
    }

    // A one-request HTTP server answering 200 with an empty body; returns the request head.
    private static async Task<string> ServeOneAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new byte[8192];
        var head = new StringBuilder();
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
        return head.ToString();
    }
}
