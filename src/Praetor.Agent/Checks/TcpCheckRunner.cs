using System.Net;
using System.Net.Sockets;
using Praetor.Agent.Definitions;
using Praetor.State.Catalog;

namespace Praetor.Agent.Checks;

/// <summary>
/// Consul's TCP check (CheckTCP): connects to <c>host:port</c> every interval; a connection
/// made within the timeout is passing (<c>TCP connect &lt;addr&gt;: Success</c>), anything else
/// critical with the error, worded as Go's dialer words it.
/// </summary>
public sealed class TcpCheckRunner : IntervalCheckRunner
{
    private readonly string _address;
    private readonly EndPoint? _endPoint;
    private readonly string? _invalidAddressReason;

    public TcpCheckRunner(string checkId, CheckDefinition definition, ICheckStatusSink sink, TimeProvider time)
        : base(checkId, (definition ?? throw new ArgumentNullException(nameof(definition))).Interval, definition.Timeout, sink, time)
    {
        _address = definition.Tcp;
        _endPoint = ParseEndPoint(_address, out _invalidAddressReason);
    }

    protected override async Task<CheckResult> RunOnceAsync(CancellationToken stopping)
    {
        if (_endPoint is null)
        {
            return new CheckResult(HealthStatus.Critical, $"dial tcp {_address}: {_invalidAddressReason}");
        }

        using var runTimeout = new CancellationTokenSource(Timeout, Time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stopping, runTimeout.Token);
        // Dual-mode where the OS has IPv6, so a host name connects over whichever family it resolves to.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(_endPoint, run.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new CheckResult(HealthStatus.Critical, $"dial tcp {_address}: i/o timeout");
        }
        catch (SocketException e)
        {
            return new CheckResult(HealthStatus.Critical, $"dial tcp {_address}: {e.Message}");
        }
        return new CheckResult(HealthStatus.Passing, $"TCP connect {_address}: Success");
    }

    /// <summary>Splits <c>host:port</c> (<c>[v6]:port</c> for IPv6) as Go's net.SplitHostPort does.</summary>
    private static EndPoint? ParseEndPoint(string address, out string? invalidReason)
    {
        invalidReason = null;
        var colon = address.LastIndexOf(':');
        if (colon < 0)
        {
            invalidReason = "missing port in address";
            return null;
        }
        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':'))
        {
            invalidReason = "too many colons in address";
            return null;
        }
        if (!ushort.TryParse(address.AsSpan(colon + 1), out var port))
        {
            invalidReason = "unknown port";
            return null;
        }
        // An empty host means the local system, as in Go.
        if (host.Length == 0)
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }
        return IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
    }
}
