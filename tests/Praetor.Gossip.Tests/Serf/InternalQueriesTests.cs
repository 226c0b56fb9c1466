using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Tests.Serf;

public class InternalQueriesTests
{
    private static readonly byte[] Key1 = Enumerable.Repeat((byte)1, 32).ToArray();
    private static readonly byte[] Key2 = Enumerable.Repeat((byte)2, 16).ToArray();

    private sealed class Host(Keyring? keyring) : IInternalQueryHost
    {
        public string LocalName => "local";

        public Keyring? Keyring { get; private set; } = keyring;

        public string? PersistError { get; set; }

        public int ResponseBytesMax { get; set; } = 1024;

        public Dictionary<string, ConflictMember> Members { get; } = [];

        public string? ReplaceKeyring(Keyring keyring)
        {
            if (PersistError is not null) return PersistError;
            Keyring = keyring;
            return null;
        }

        public ConflictMember? ConflictView(string name) => Members.GetValueOrDefault(name);

        public bool ResponseFits(SerfQueryEvent query, byte[] payload) => payload.Length <= ResponseBytesMax;
    }

    private static SerfQueryEvent Query(string name, byte[]? payload) =>
        new(3, name, payload, 9, [127, 0, 0, 1], 7946, "asker", TimeSpan.FromSeconds(5), 0);

    private static byte[] KeyRequest(byte[] key) => SerfCodec.Encode(new KeyRequest(key));

    private static KeyResponse Decode(byte[]? payload)
    {
        Assert.NotNull(payload);
        Assert.True(SerfCodec.TryDecode<KeyResponse>(payload, out var response, out var error), error.ToString());
        return response;
    }

    [Fact]
    public void List_keys_answers_every_key_in_base64_primary_first_in_serfs_encoding()
    {
        var host = new Host(new Keyring(Key1, [Key2]));

        var payload = InternalQueries.Answer(Query(InternalQueries.ListKeys, KeyRequest([])), host);

        var response = Decode(payload);
        Assert.True(response.Result);
        Assert.Equal([Convert.ToBase64String(Key1), Convert.ToBase64String(Key2)], response.Keys!);
        Assert.Equal(Convert.ToBase64String(Key1), response.PrimaryKey);
        // messageKeyResponseType, then nodeKeyResponse as go-msgpack writes it: a 4-entry map, fields by name.
        Assert.Equal((byte)SerfMessageType.KeyResponse, payload![0]);
        Assert.Equal(0x84, payload[1]);
        Assert.Equal("Keys"u8.ToArray(), payload[3..7]);
    }

    [Fact]
    public void A_list_too_large_for_one_response_is_cut_with_serfs_message()
    {
        var keys = Enumerable.Range(3, 10).Select(i => Enumerable.Repeat((byte)i, 32).ToArray()).ToList();
        var host = new Host(new Keyring(Key1, keys)) { ResponseBytesMax = 300 };

        var response = Decode(InternalQueries.Answer(Query(InternalQueries.ListKeys, KeyRequest([])), host));

        Assert.True(response.Result);
        Assert.InRange(response.Keys!.Count, 1, 10);
        Assert.Equal($"truncated key list response, showing first {response.Keys.Count} of 11 keys", response.Message);
    }

    [Fact]
    public void Install_use_and_remove_change_the_keyring_with_memberlists_rules()
    {
        var host = new Host(new Keyring(Key1));

        Assert.True(Decode(InternalQueries.Answer(Query(InternalQueries.InstallKey, KeyRequest(Key2)), host)).Result);
        Assert.True(host.Keyring!.Contains(Key2));

        var useUnknown = Decode(InternalQueries.Answer(Query(InternalQueries.UseKey, KeyRequest(new byte[24])), host));
        Assert.Equal((false, "Requested key is not in the keyring"), (useUnknown.Result, useUnknown.Message));

        Assert.True(Decode(InternalQueries.Answer(Query(InternalQueries.UseKey, KeyRequest(Key2)), host)).Result);
        Assert.Equal(Key2, host.Keyring!.PrimaryKey.ToArray());

        var removePrimary = Decode(InternalQueries.Answer(Query(InternalQueries.RemoveKey, KeyRequest(Key2)), host));
        Assert.Equal((false, "Removing the primary key is not allowed"), (removePrimary.Result, removePrimary.Message));

        Assert.True(Decode(InternalQueries.Answer(Query(InternalQueries.RemoveKey, KeyRequest(Key1)), host)).Result);
        Assert.Equal(1, host.Keyring!.Count);

        var badLength = Decode(InternalQueries.Answer(Query(InternalQueries.InstallKey, KeyRequest([1, 2, 3])), host));
        Assert.Equal((false, "key size must be 16, 24 or 32 bytes"), (badLength.Result, badLength.Message));
        Assert.Equal(1, host.Keyring!.Count);
    }

    [Fact]
    public void Without_encryption_key_operations_fail_with_serfs_messages()
    {
        var host = new Host(null);

        var list = Decode(InternalQueries.Answer(Query(InternalQueries.ListKeys, KeyRequest([])), host));
        Assert.Equal((false, "Keyring is empty (encryption not enabled)"), (list.Result, list.Message));
        foreach (var name in new[] { InternalQueries.InstallKey, InternalQueries.UseKey, InternalQueries.RemoveKey })
        {
            var response = Decode(InternalQueries.Answer(Query(name, KeyRequest(Key1)), host));
            Assert.Equal((false, "No keyring to modify (encryption not enabled)"), (response.Result, response.Message));
        }
    }

    [Fact]
    public void A_keyring_that_cannot_be_persisted_is_not_put_in_use()
    {
        var host = new Host(new Keyring(Key1)) { PersistError = "Failed to write keyring file: disk full" };

        var response = Decode(InternalQueries.Answer(Query(InternalQueries.InstallKey, KeyRequest(Key2)), host));

        Assert.Equal((false, "Failed to write keyring file: disk full"), (response.Result, response.Message));
        Assert.False(host.Keyring!.Contains(Key2));
    }

    [Fact]
    public void A_malformed_key_request_fails_without_a_message_and_changes_nothing()
    {
        var host = new Host(new Keyring(Key1));

        var response = Decode(InternalQueries.Answer(Query(InternalQueries.InstallKey, [7, 0xc1]), host));

        Assert.Equal((false, ""), (response.Result, response.Message));
        Assert.Equal(1, host.Keyring!.Count);
    }

    [Fact]
    public void Conflict_answers_with_the_members_view_and_not_about_ourselves()
    {
        var host = new Host(null);
        var member = new ConflictMember("dup", [10, 0, 0, 5], 7946, new Dictionary<string, string>(), MemberStatus.Alive, 1, 5, 2, 2, 5, 5);
        host.Members["dup"] = member;

        var payload = InternalQueries.Answer(Query(InternalQueries.Conflict, "dup"u8.ToArray()), host);
        Assert.True(SerfCodec.TryDecode<ConflictResponse>(payload!, out var answer, out _));
        Assert.Equal(member.Addr, answer.Member!.Addr);
        Assert.Equal(7946, answer.Member.Port);

        var unknown = InternalQueries.Answer(Query(InternalQueries.Conflict, "nobody"u8.ToArray()), host);
        Assert.True(SerfCodec.TryDecode<ConflictResponse>(unknown!, out var none, out _));
        Assert.Null(none.Member);

        Assert.Null(InternalQueries.Answer(Query(InternalQueries.Conflict, "local"u8.ToArray()), host));
        Assert.Null(InternalQueries.Answer(Query(InternalQueries.Ping, null), host));
        Assert.Null(InternalQueries.Answer(Query("_serf_unknown", null), host));
    }
}
