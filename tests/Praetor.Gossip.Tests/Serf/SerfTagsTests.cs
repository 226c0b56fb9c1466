using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Tests.Serf;

public class SerfTagsTests
{
    [Fact]
    public void Tags_are_the_magic_byte_then_a_msgpack_map_in_key_order()
    {
        var meta = SerfTags.Encode(new Dictionary<string, string> { ["role"] = "web", ["dc"] = "dc1" }, 4);
        Assert.Equal("FF82A26463A3646331A4726F6C65A3776562", Convert.ToHexString(meta));
    }

    [Fact]
    public void Protocol_2_carries_only_the_role_string()
    {
        Assert.Equal("web"u8.ToArray(), SerfTags.Encode(new Dictionary<string, string> { ["role"] = "web", ["dc"] = "x" }, 2));
        Assert.Empty(SerfTags.Encode(new Dictionary<string, string> { ["dc"] = "x" }, 2));
    }

    [Fact]
    public void Meta_without_the_magic_byte_is_an_old_style_role()
    {
        Assert.True(SerfTags.TryDecode("lb"u8, out var tags, out _));
        Assert.Equal(new Dictionary<string, string> { ["role"] = "lb" }, tags);
        Assert.True(SerfTags.TryDecode([], out tags, out _));
        Assert.Equal(new Dictionary<string, string> { ["role"] = "" }, tags);
    }

    [Fact]
    public void Empty_tags_encode_as_an_empty_map()
    {
        var meta = SerfTags.Encode(new Dictionary<string, string>(), 4);
        Assert.Equal("FF80", Convert.ToHexString(meta));
        Assert.True(SerfTags.TryDecode(meta, out var tags, out _));
        Assert.Empty(tags);
    }

    [Fact]
    public void Encoded_tags_of_exactly_512_bytes_fit_and_513_do_not()
    {
        // FF, fixmap 1, fixstr "k" (2 bytes), str16 value (3 + n bytes): 1 + 1 + 2 + 3 + n.
        var fits = new Dictionary<string, string> { ["k"] = new string('v', 512 - 7) };
        Assert.True(SerfTags.TryEncode(fits, 4, out var meta, out var error), error);
        Assert.Equal(512, meta.Length);

        var over = new Dictionary<string, string> { ["k"] = new string('v', 512 - 6) };
        Assert.False(SerfTags.TryEncode(over, 4, out meta, out error));
        Assert.Empty(meta);
        Assert.Equal("encoded tags are 513 bytes, over the node meta limit of 512 bytes", error);
    }

    [Fact]
    public void Malformed_tags_are_an_error_that_keeps_the_tags_read_before_it()
    {
        // FF, fixmap 2, "a" "1", then a truncated key
        Assert.False(SerfTags.TryDecode(Convert.FromHexString("FF82A161A131A3"), out var tags, out var error));
        Assert.Equal(SerfDecodeErrorKind.Malformed, error.Kind);
        Assert.Equal("1", tags["a"]);
        Assert.False(SerfTags.TryDecode([0xff, 0x92], out _, out _)); // an array is not a map
    }

    [Fact]
    public void Unicode_tags_round_trip()
    {
        var original = new Dictionary<string, string> { ["zone"] = "東京-1", ["é"] = "" };
        Assert.True(SerfTags.TryDecode(SerfTags.Encode(original, 5), out var tags, out _));
        Assert.Equal(original, tags);
    }
}
