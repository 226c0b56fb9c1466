using System.Text;
using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Tests.Serf;

/// <summary>Bytes a real serf 0.9.4 agent sent (Fixtures/capture_serf.py): decoded, and where Go's output is deterministic, re-encoded identically.</summary>
public class SerfInteropFixtureTests
{
    [Fact]
    public void User_events_gossiped_by_serf_decode_and_re_encode_to_the_same_bytes()
    {
        var events = new Dictionary<string, UserEventMessage>();
        foreach (var (comment, bytes) in SerfFixtures.Load("serf-gossip"))
        {
            Assert.True(SerfCodec.TryDecode(bytes, out var message, out var error), $"{comment}: {error}");
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(SerfCodec.Encode(message)));
            if (message is UserEventMessage userEvent) events[userEvent.Name] = userEvent;
        }
        Assert.Equal("v1.2", Encoding.UTF8.GetString(events["deploy"].Payload!));
        Assert.True(events["deploy"].CanCoalesce);
        Assert.False(events["restart"].CanCoalesce);
        Assert.Null(events["restart"].Payload); // serf sends a missing payload as nil
        Assert.Equal(new string('x', 40), Encoding.UTF8.GetString(events["big"].Payload!));
        Assert.Equal([1ul, 2ul, 3ul], events.Values.Select(e => e.LTime).Order());
    }

    [Fact]
    public void Push_pull_state_from_serf_decodes_with_its_512_slot_event_ring_and_re_encodes_identically()
    {
        var states = SerfFixtures.Load("serf-pushpull");
        var (_, fresh) = states[0];
        Assert.True(SerfCodec.TryDecode<PushPullState>(fresh, out var first, out var error), error.ToString());
        Assert.Equal(UserEventBuffer.DefaultSize, first.Events.Count);
        Assert.All(first.Events, Assert.Null);
        Assert.Contains("s1", first.StatusLTimes.Keys);

        var (_, later) = states[1];
        Assert.True(SerfCodec.TryDecode<PushPullState>(later, out var second, out error), error.ToString());
        var names = second.Events.Where(b => b is not null).SelectMany(b => b!.Events).Select(e => e.Name).ToList();
        Assert.Equal(["deploy", "restart", "big"], names);
        Assert.Equal(1ul, second.Events[1]!.LTime);
        Assert.Equal(4ul, second.EventLTime);
        // Go writes a map's entries in random order; with one entry per map the bytes are fixed.
        if (second.StatusLTimes.Count == 1)
        {
            Assert.Equal(Convert.ToHexString(later), Convert.ToHexString(SerfCodec.Encode(second)));
        }
    }

    [Fact]
    public void Tags_in_serf_node_meta_decode()
    {
        var (_, meta) = SerfFixtures.Load("serf-tags")[0];
        Assert.True(SerfTags.TryDecode(meta, out var tags, out var error), error.ToString());
        Assert.Equal(2, tags.Count);
        Assert.Equal("web", tags["role"]);
        Assert.Equal("dc1", tags["dc"]);
        // Re-encoded (keys sorted) it is the same length and decodes the same.
        var ours = SerfTags.Encode(tags, 4);
        Assert.Equal(meta.Length, ours.Length);
        Assert.True(SerfTags.TryDecode(ours, out var again, out _));
        Assert.Equal(tags, again);
    }

    [Fact]
    public void Coordinate_in_a_serf_ping_ack_decodes_and_re_encodes_identically()
    {
        var (_, payload) = SerfFixtures.Load("serf-ack-payload")[0];
        Assert.True(PingPayload.TryDecode(payload, out var coordinate, out var error), error.ToString());
        Assert.Equal(8, coordinate!.Vec.Length); // serf/coordinate's default dimensionality
        Assert.Equal(1.5, coordinate.Error); // VivaldiErrorMax: a fresh coordinate
        Assert.Equal(1.0e-5, coordinate.Height); // HeightMin
        Assert.Equal(Convert.ToHexString(payload), Convert.ToHexString(PingPayload.Encode(coordinate)));
    }
}
