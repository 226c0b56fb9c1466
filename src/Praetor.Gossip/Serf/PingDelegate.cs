using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

/// <summary>
/// Serf's ping delegate (ping_delegate.go) and coordinate cache: the ack payload carrying this
/// node's coordinate, and for every direct probe that completed, the peer's coordinate from its
/// ack fed to the <see cref="CoordinateClient"/> with the measured RTT. The latest coordinate of
/// each peer (and of this node) is cached until the member is reaped. Payloads that do not
/// decode, and coordinates the client refuses, are counted and otherwise ignored.
/// Deterministic and not thread-safe: the pool's loop owns it.
/// </summary>
public sealed class PingDelegate
{
    private readonly string _localName;
    private readonly CoordinateClient _client;
    private readonly Dictionary<string, Coordinate> _cache = new(StringComparer.Ordinal);

    /// <summary>Starts at the origin with <paramref name="random"/> for the client's random directions.</summary>
    public PingDelegate(string localName, VivaldiConfig config, Random random)
    {
        ArgumentException.ThrowIfNullOrEmpty(localName);
        _localName = localName;
        _client = new CoordinateClient(config, random);
        _cache[localName] = _client.Coordinate;
        AckPayload = PingPayload.Encode(_client.Coordinate);
    }

    /// <summary>This node's coordinate.</summary>
    public Coordinate Coordinate => _client.Coordinate;

    /// <summary>The payload for our acks: the current coordinate, encoded once per update.</summary>
    public byte[] AckPayload { get; private set; }

    /// <summary>How many times the client reset an invalid coordinate (Serf's coordinate_resets).</summary>
    public long Resets => _client.Resets;

    /// <summary>Ack payloads that did not decode (another version, malformed msgpack).</summary>
    public long Malformed { get; private set; }

    /// <summary>Coordinates the client refused (serf.coordinate.rejected).</summary>
    public long Rejected { get; private set; }

    /// <summary>Observations applied.</summary>
    public long Updates { get; private set; }

    /// <summary>The cached coordinate of <paramref name="node"/> (this node's included), if any.</summary>
    public Coordinate? Cached(string node) => _cache.GetValueOrDefault(node);

    /// <summary>A copy of the cache.</summary>
    public IReadOnlyDictionary<string, Coordinate> CachedCoordinates() => new Dictionary<string, Coordinate>(_cache, StringComparer.Ordinal);

    /// <summary>
    /// A direct probe of <paramref name="node"/> got its ack after <paramref name="rtt"/>.
    /// An empty payload (a relayed ack, or a peer without coordinates) is ignored as Serf does.
    /// Returns true when our coordinate moved.
    /// </summary>
    public bool OnPingComplete(string node, TimeSpan rtt, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (payload.IsEmpty) return false;
        if (!PingPayload.TryDecode(payload, out var other, out _))
        {
            Malformed++;
            return false;
        }
        if (_client.Update(node, other!, rtt) is not null)
        {
            Rejected++;
            return false;
        }
        Updates++;
        _cache[node] = other!;
        _cache[_localName] = _client.Coordinate;
        AckPayload = PingPayload.Encode(_client.Coordinate);
        return true;
    }

    /// <summary>The member was reaped: its RTT samples and cached coordinate go (Serf's handleReap).</summary>
    public void Forget(string node)
    {
        if (node == _localName) return;
        _client.ForgetNode(node);
        _cache.Remove(node);
    }
}
