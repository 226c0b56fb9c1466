using Praetor.Gossip.Memberlist;

namespace Praetor.Gossip.Tests.Core;

/// <summary>memberlist's ping delegate hook: direct acks reported with their RTT and payload, late ones not.</summary>
public class PingCompletedTests
{
    private static HandWiredCluster TwoNodes()
    {
        var c = new HandWiredCluster();
        c.Add("a", 1);
        c.Add("b", 2);
        c.JoinAllTo("a");
        return c;
    }

    [Fact]
    public void A_direct_ack_reports_the_target_the_rtt_and_the_payload()
    {
        var c = TwoNodes();
        c["b"].AckPayload = [1, 2, 3];
        c.Advance(TimeSpan.FromSeconds(2));
        var completed = c.PingsCompleted.First(p => p.From == "a").Ping;
        Assert.Equal("b", completed.Node);
        // Packets are delivered at once: the ack comes back in the tick that sent the ping.
        Assert.Equal(TimeSpan.Zero, completed.Rtt);
        Assert.Equal([1, 2, 3], completed.Payload);
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(499, true)]
    [InlineData(700, false)]
    public void A_held_back_ack_counts_its_delay_only_within_the_direct_phase(int delayMs, bool reported)
    {
        var c = TwoNodes();
        c.PingsCompleted.Clear();
        AckResp? held = null;
        c.DropRule = (from, to, message) =>
        {
            if (from == "b" && message is AckResp ack && held is null) held = ack;
            return from == "b" && message is AckResp || to == "b" && message is IndirectPingReq;
        };
        c["b"].AckPayload = [9];
        while (held is null) c.Advance(TimeSpan.FromMilliseconds(10));
        var pingedAt = c.Sent.Last(s => s.From == "a" && s.Packet.Messages.Any(m => m is Ping { Node: "b" })).At;
        c.DropRule = null;
        c["a"].Receive(HandWiredCluster.AddressOf(2), held, pingedAt + TimeSpan.FromMilliseconds(delayMs));
        var output = c["a"].TakeOutput();
        if (reported)
        {
            var completed = Assert.Single(output.PingsCompleted);
            Assert.Equal(("b", TimeSpan.FromMilliseconds(delayMs)), (completed.Node, completed.Rtt));
        }
        else
        {
            Assert.Empty(output.PingsCompleted);
        }
    }
}
