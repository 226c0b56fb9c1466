using System.Net;
using System.Threading.Channels;
using Praetor.Gossip;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Api.Tests;

/// <summary>A pool that records the user events fired on it and, like Serf, hands each back as a delivered event with the next Lamport time.</summary>
internal sealed class FakeSerfPool : ISerfPool
{
    private readonly Channel<SerfEvent> _events = Channel.CreateUnbounded<SerfEvent>();
    private ulong _clock;

    public List<(string Name, byte[] Payload)> Fired { get; } = [];

    public IPEndPoint AdvertiseEndpoint { get; } = new(IPAddress.Loopback, 8301);

    public ChannelReader<SerfEvent> Events => _events.Reader;

    public Keyring? Keyring => null;

    /// <summary>The coordinate the agent reports for this node; a test may set it.</summary>
    public Coordinate LocalCoordinate { get; set; } = Coordinate.Origin(VivaldiConfig.Default);

    /// <summary>The coordinates of other members as this pool heard them; a test may add some.</summary>
    public Dictionary<string, Coordinate> Coordinates { get; } = [];

    public Coordinate? CachedCoordinate(string node) => Coordinates.GetValueOrDefault(node);

    public void FireUserEvent(string name, byte[] payload, bool coalesce)
    {
        lock (Fired)
        {
            Fired.Add((name, payload));
            _events.Writer.TryWrite(new SerfUserEvent(++_clock, name, payload, coalesce));
        }
    }

    /// <summary>Delivers an event as if another member had fired it.</summary>
    public void Deliver(SerfEvent serfEvent) => _events.Writer.TryWrite(serfEvent);

    public IReadOnlyList<SerfMember> Members() => [];

    public Task<SerfQueryResponse> QueryAsync(string name, byte[]? payload, QueryParam? param, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the event tests send no queries");

    public Task<KeyringResponse> KeyringAsync(KeyringOperation operation, string? key, byte relayFactor, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the event tests run no keyring operations");

    public Task<int> JoinAsync(IReadOnlyList<string> addresses, bool ignoreOldEvents, CancellationToken cancellationToken) => Task.FromResult(0);

    public Task LeaveAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public bool ForceLeave(string node, bool prune) => false;

    public void SetTags(IReadOnlyDictionary<string, string> tags)
    {
    }

    public ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
