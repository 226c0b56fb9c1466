using System.Net;
using System.Threading.Channels;
using Praetor.Agent.Gossip;
using Praetor.Gossip;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Api.Tests;

/// <summary>
/// An <see cref="ISerfPool"/> without a network for the agent's LAN and WAN tests: members and
/// events are what the test says; joins answer as <see cref="JoinResult"/> says. It advertises
/// 127.0.0.1:18301 as a LAN pool, 127.0.0.1:18302 as a WAN pool.
/// </summary>
public sealed class FakeLanPool : ISerfPool
{
    private readonly Lock _lock = new();
    private readonly List<SerfMember> _members = [];
    private readonly Channel<SerfEvent> _events = Channel.CreateUnbounded<SerfEvent>();
    private static long _leaves;

    public FakeLanPool(GossipPoolSettings settings)
    {
        Settings = settings;
        AdvertiseEndpoint = new(IPAddress.Loopback, settings.Area == GossipArea.Lan ? 18301 : 18302);
        KeyringResult = OwnKeyring;
        _members.Add(Member(settings.NodeName, settings.Tags, address: "127.0.0.1", port: (ushort)AdvertiseEndpoint.Port));
    }

    public GossipPoolSettings Settings { get; }

    public IPEndPoint AdvertiseEndpoint { get; }

    public Keyring? Keyring => Settings.Keyring;

    /// <summary>The coordinate the agent reports for this node; a test may set it.</summary>
    public Coordinate LocalCoordinate { get; set; } = Coordinate.Origin(VivaldiConfig.Default);

    /// <summary>The coordinates of other members as this pool heard them; a test may add some.</summary>
    public Dictionary<string, Coordinate> Coordinates { get; } = [];

    public Coordinate? CachedCoordinate(string node) => Coordinates.GetValueOrDefault(node);

    public ChannelReader<SerfEvent> Events => _events.Reader;

    /// <summary>Every address list a join was asked for.</summary>
    public List<IReadOnlyList<string>> Joins { get; } = [];

    /// <summary>What a join does: the number answered, or a GossipException.</summary>
    public Func<IReadOnlyList<string>, int> JoinResult { get; set; } = addresses => addresses.Count;

    public bool Left => LeftOrder > 0;

    /// <summary>When this pool was left, counted across every fake pool (0: not left), so tests can tell which pool was left first.</summary>
    public long LeftOrder { get; private set; }

    public List<(string Node, bool Prune)> ForceLeaves { get; } = [];

    public bool Disposed { get; private set; }

    /// <summary>A member as Serf reports it (Consul client tags unless given).</summary>
    public static SerfMember Member(string name, IReadOnlyDictionary<string, string>? tags = null, MemberStatus status = MemberStatus.Alive, string address = "127.0.0.2", ushort port = 8301) =>
        new(name, IPAddress.Parse(address).GetAddressBytes(), port,
            tags ?? new Dictionary<string, string> { ["role"] = "node", ["dc"] = "dc1", ["id"] = Guid.NewGuid().ToString(), ["build"] = "1.20.0:abc", ["vsn"] = "2" },
            status, new ProtocolVersions(1, 5, 2, 2, 5, 4));

    /// <summary>Sets (adds or replaces by name; a reap removes) a member and delivers the event.</summary>
    public void Deliver(SerfEventType type, SerfMember member)
    {
        lock (_lock)
        {
            _members.RemoveAll(m => m.Name == member.Name);
            if (type != SerfEventType.MemberReap)
            {
                _members.Add(member);
            }
        }
        _events.Writer.TryWrite(new SerfMemberEvent(type, [member]));
    }

    public void DeliverUserEvent(SerfUserEvent userEvent) => _events.Writer.TryWrite(userEvent);

    public IReadOnlyList<SerfMember> Members()
    {
        lock (_lock)
        {
            return [.. _members];
        }
    }

    public Task<int> JoinAsync(IReadOnlyList<string> addresses, bool ignoreOldEvents, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Joins.Add(addresses);
        }
        return Task.FromResult(JoinResult(addresses));
    }

    public Task LeaveAsync(CancellationToken cancellationToken)
    {
        LeftOrder = Interlocked.Increment(ref _leaves);
        return Task.CompletedTask;
    }

    public bool ForceLeave(string node, bool prune)
    {
        ForceLeaves.Add((node, prune));
        return Members().Any(m => m.Name == node);
    }

    public void SetTags(IReadOnlyDictionary<string, string> tags)
    {
    }

    public void FireUserEvent(string name, byte[] payload, bool coalesce)
    {
    }

    /// <summary>Every keyring operation asked for, with its key and relay factor.</summary>
    public List<(KeyringOperation Operation, string? Key, byte RelayFactor)> KeyringOperations { get; } = [];

    /// <summary>What a keyring operation answers (by default: this node alone, with the configured keyring).</summary>
    public Func<KeyringOperation, string?, KeyringResponse> KeyringResult { get; set; }

    public Task<SerfQueryResponse> QueryAsync(string name, byte[]? payload, QueryParam? param, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the LAN tests send no queries");

    public Task<KeyringResponse> KeyringAsync(KeyringOperation operation, string? key, byte relayFactor, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            KeyringOperations.Add((operation, key, relayFactor));
        }
        return Task.FromResult(KeyringResult(operation, key));
    }

    private KeyringResponse OwnKeyring(KeyringOperation operation, string? key)
    {
        if (Keyring is null)
        {
            var message = operation == KeyringOperation.List ? InternalQueries.EmptyKeyringMessage : InternalQueries.NoKeyringMessage;
            return new KeyringResponse(1, 1, 1, new Dictionary<string, string> { [Settings.NodeName] = message }, new Dictionary<string, int>(), new Dictionary<string, int> { [""] = 1 }, "1/1 nodes reported failure");
        }
        var keys = operation == KeyringOperation.List ? Keyring.Keys.ToDictionary(Convert.ToBase64String, _ => 1) : [];
        var primary = operation == KeyringOperation.List ? Convert.ToBase64String(Keyring.PrimaryKey) : "";
        return new KeyringResponse(1, 1, 0, new Dictionary<string, string>(), keys, new Dictionary<string, int> { [primary] = 1 }, null);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        _events.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
