using System.Net;

namespace Praetor.Agent.Config;

/// <summary>An upstream DNS server as <c>recursors</c> and <c>-recursor</c> give it: an IP, with an optional port (53 by default).</summary>
public static class RecursorAddress
{
    public const int DefaultPort = 53;

    /// <summary>Reads <c>1.2.3.4</c>, <c>1.2.3.4:5353</c>, <c>::1</c> or <c>[::1]:5353</c>; false for anything else (host names, go-sockaddr templates).</summary>
    public static bool TryParse(string text, out IPEndPoint endpoint)
    {
        if (IPAddress.TryParse(text, out var address) && !text.StartsWith('['))
        {
            endpoint = new IPEndPoint(address, DefaultPort);
            return true;
        }
        if (IPEndPoint.TryParse(text, out var parsed) && (text.StartsWith('[') || !text.Contains("::", StringComparison.Ordinal)))
        {
            endpoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, DefaultPort) : parsed;
            return true;
        }
        endpoint = null!;
        return false;
    }
}
