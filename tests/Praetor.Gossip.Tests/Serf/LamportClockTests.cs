using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Tests.Serf;

public class LamportClockTests
{
    [Fact]
    public void Increment_returns_the_new_time()
    {
        var clock = new LamportClock();
        Assert.Equal(0ul, clock.Time);
        Assert.Equal(1ul, clock.Increment());
        Assert.Equal(2ul, clock.Increment());
        Assert.Equal(2ul, clock.Time);
    }

    [Fact]
    public void Witness_of_an_older_time_changes_nothing()
    {
        var clock = new LamportClock(10);
        clock.Witness(9);
        Assert.Equal(10ul, clock.Time);
    }

    [Fact]
    public void Witness_of_the_current_or_a_newer_time_moves_one_past_it()
    {
        var clock = new LamportClock(10);
        clock.Witness(10);
        Assert.Equal(11ul, clock.Time);
        clock.Witness(41);
        Assert.Equal(42ul, clock.Time);
    }
}
