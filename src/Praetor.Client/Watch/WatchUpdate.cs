using System.Globalization;

namespace Praetor.Client.Watch;

/// <summary>A watch's new result: the <c>X-Consul-Index</c> it came with and the data as compact JSON.</summary>
public sealed record WatchUpdate(ulong Index, byte[] Json)
{
    /// <summary>What a handler reads on stdin or as a request body: the JSON and a newline, as Go's <c>json.Encoder</c> writes it.</summary>
    public byte[] HandlerBody()
    {
        var body = new byte[Json.Length + 1];
        Json.CopyTo(body, 0);
        body[^1] = (byte)'\n';
        return body;
    }

    /// <summary>The index as the handler's <c>CONSUL_INDEX</c> carries it.</summary>
    public string IndexText => Index.ToString(CultureInfo.InvariantCulture);
}
