using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Tests.Serf;

public class KeyringResponseCollectorTests
{
    private static SerfNodeResponse From(string node, KeyResponse response) => new(node, SerfCodec.Encode(response));

    [Fact]
    public void Keys_and_primary_keys_are_counted_per_node()
    {
        var collector = new KeyringResponseCollector(2);
        collector.Add(From("a", new KeyResponse(true, "", ["k1", "k2"], "k1")));
        Assert.False(collector.Complete);
        collector.Add(From("b", new KeyResponse(true, "", ["k1"], "k1")));

        Assert.True(collector.Complete);
        var result = collector.Result();
        Assert.Null(result.Error);
        Assert.Equal((2, 2, 0), (result.NumNodes, result.NumResp, result.NumErr));
        Assert.Equal(2, result.Keys["k1"]);
        Assert.Equal(1, result.Keys["k2"]);
        Assert.Equal(2, result.PrimaryKeys["k1"]);
        Assert.Empty(result.Messages);
    }

    [Fact]
    public void Failures_and_bad_answers_are_errors_with_their_messages_as_serf_reports_them()
    {
        var collector = new KeyringResponseCollector(4);
        collector.Add(From("a", new KeyResponse(false, "Requested key is not in the keyring", null, "")));
        collector.Add(new SerfNodeResponse("b", [1, 2]));
        collector.Add(new SerfNodeResponse("c", [(byte)SerfMessageType.KeyResponse, 0xc1]));

        var result = collector.Result();

        Assert.Equal("3/4 nodes reported failure", result.Error);
        Assert.Equal((3, 3), (result.NumResp, result.NumErr));
        Assert.Equal("Requested key is not in the keyring", result.Messages["a"]);
        Assert.Equal("Invalid key query response type: [1 2]", result.Messages["b"]);
        Assert.Equal("Failed to decode key query response: [8 193]", result.Messages["c"]);
    }

    [Fact]
    public void Missing_answers_are_serfs_partial_success_and_a_warning_message_is_kept()
    {
        var collector = new KeyringResponseCollector(3);
        collector.Add(From("a", new KeyResponse(true, "truncated key list response, showing first 1 of 2 keys", ["k1"], "k1")));

        var result = collector.Result();

        Assert.Equal("1/3 nodes reported success", result.Error);
        Assert.Equal(0, result.NumErr);
        Assert.Equal("truncated key list response, showing first 1 of 2 keys", result.Messages["a"]);
    }
}
