using System.Net;
using System.Net.Sockets;

namespace Praetor.Integration;

/// <summary>Picks a TCP port on 127.0.0.1 that is free right now: the kernel's choice for port 0, released at once.</summary>
/// <remarks>Another process can take the port before the agent binds it; callers retry on a collision.</remarks>
public static class FreeLoopbackPort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
