using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Tests.Serf;

public class UserEventBufferTests
{
    [Fact]
    public void First_sighting_is_delivered_and_witnessed_on_the_event_clock()
    {
        var buffer = new UserEventBuffer(new LamportClock(1));
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(7, "deploy", [1]));
        Assert.Equal(8ul, buffer.Clock.Time);
        Assert.Equal(7ul, buffer.Slots[7]!.LTime);
    }

    [Fact]
    public void Same_time_name_and_payload_is_a_duplicate_but_another_payload_is_not()
    {
        var buffer = new UserEventBuffer(new LamportClock());
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(3, "deploy", [1]));
        Assert.Equal(DeliveryVerdict.Duplicate, buffer.Observe(3, "deploy", [1]));
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(3, "deploy", [2]));
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(3, "restart", [1]));
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(4, "deploy", [1]));
        Assert.Equal(3, buffer.Slots[3]!.Events.Count);
    }

    [Fact]
    public void Nil_and_empty_payloads_are_the_same_event_as_Go_bytes_Compare_says()
    {
        var buffer = new UserEventBuffer(new LamportClock());
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(3, "e", null));
        Assert.Equal(DeliveryVerdict.Duplicate, buffer.Observe(3, "e", []));
    }

    [Fact]
    public void A_slot_reused_by_a_later_time_forgets_the_earlier_events()
    {
        var buffer = new UserEventBuffer(new LamportClock(), size: 4);
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(1, "e", null));
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(5, "e", null)); // slot 1 again
        Assert.Single(buffer.Slots[1]!.Events);
        Assert.Equal(5ul, buffer.Slots[1]!.LTime);
    }

    [Fact]
    public void Events_further_behind_the_clock_than_the_buffer_are_too_old()
    {
        var buffer = new UserEventBuffer(new LamportClock(100), size: 10);
        Assert.Equal(DeliveryVerdict.TooOld, buffer.Observe(89, "e", null));
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(90, "e", null)); // exactly the buffer's reach
    }

    [Fact]
    public void Events_before_the_minimum_time_are_dropped_but_still_witnessed()
    {
        var buffer = new UserEventBuffer(new LamportClock()) { MinTime = 50 };
        Assert.Equal(DeliveryVerdict.BeforeMinTime, buffer.Observe(49, "e", null));
        Assert.Equal(50ul, buffer.Clock.Time);
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(50, "e", null));
    }

    [Fact]
    public void Queries_are_duplicates_by_time_and_id()
    {
        var buffer = new QueryBuffer(new LamportClock());
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(2, 77));
        Assert.Equal(DeliveryVerdict.Duplicate, buffer.Observe(2, 77));
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(2, 78));
        Assert.Equal(DeliveryVerdict.Deliver, buffer.Observe(2 + QueryBuffer.DefaultSize, 77));
        buffer.MinTime = 10_000;
        Assert.Equal(DeliveryVerdict.BeforeMinTime, buffer.Observe(9_999, 1));
        Assert.Equal(DeliveryVerdict.TooOld, new QueryBuffer(new LamportClock(1000), 10).Observe(5, 1));
    }
}
