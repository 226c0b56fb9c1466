using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

/// <summary>What <see cref="InternalQueries"/> needs from the node answering: its name, its keyring, its members, the response size limit.</summary>
public interface IInternalQueryHost
{
    /// <summary>This node's name.</summary>
    string LocalName { get; }

    /// <summary>The gossip keyring; null when gossip is not encrypted.</summary>
    Keyring? Keyring { get; }

    /// <summary>Persists <paramref name="keyring"/> (the keyring file, when configured) and then puts it in use; null on success, else why nothing changed.</summary>
    string? ReplaceKeyring(Keyring keyring);

    /// <summary>What this node knows of member <paramref name="name"/> (null: unknown).</summary>
    ConflictMember? ConflictView(string name);

    /// <summary>True when <paramref name="payload"/> fits the response size limit as the answer to <paramref name="query"/>.</summary>
    bool ResponseFits(SerfQueryEvent query, byte[] payload);
}

/// <summary>
/// Serf's internal queries (internal_query.go): queries named <c>_serf_*</c> are answered by Serf
/// itself and never handed to the user. <c>ping</c> is only acked; <c>conflict</c> answers with
/// this node's view of the named member; <c>install-key</c>, <c>use-key</c>, <c>remove-key</c> and
/// <c>list-keys</c> change or list the gossip keyring, with memberlist's rules and Serf's messages.
/// </summary>
public static class InternalQueries
{
    /// <summary>The prefix of internal query names (InternalQueryPrefix).</summary>
    public const string Prefix = "_serf_";

    public const string Ping = Prefix + "ping";
    public const string Conflict = Prefix + "conflict";
    public const string InstallKey = Prefix + "install-key";
    public const string UseKey = Prefix + "use-key";
    public const string RemoveKey = Prefix + "remove-key";
    public const string ListKeys = Prefix + "list-keys";

    /// <summary>The message of every key operation on a node without encryption, list excepted.</summary>
    public const string NoKeyringMessage = "No keyring to modify (encryption not enabled)";

    /// <summary>The message of list-keys on a node without encryption.</summary>
    public const string EmptyKeyringMessage = "Keyring is empty (encryption not enabled)";

    /// <summary>True for a query Serf answers itself.</summary>
    public static bool IsInternal(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Handles one internal query and returns the payload to respond with, or null when Serf does
    /// not respond (a ping, a conflict query about this node, an unknown internal query).
    /// </summary>
    public static byte[]? Answer(SerfQueryEvent query, IInternalQueryHost host)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(host);
        return query.Name switch
        {
            Conflict => AnswerConflict(query, host),
            InstallKey => SerfCodec.Encode(ChangeKey(query, host, (keyring, key) =>
                !Keyring.IsValidKeyLength(key.Length) ? "key size must be 16, 24 or 32 bytes" : null, (keyring, key) => keyring.WithKey(key))),
            UseKey => SerfCodec.Encode(ChangeKey(query, host, (keyring, key) =>
                keyring.Contains(key) ? null : "Requested key is not in the keyring", (keyring, key) => keyring.WithPrimary(key))),
            RemoveKey => SerfCodec.Encode(ChangeKey(query, host, (keyring, key) =>
                keyring.PrimaryKey.SequenceEqual(key) ? "Removing the primary key is not allowed" : null, (keyring, key) => keyring.WithoutKey(key))),
            ListKeys => AnswerListKeys(query, host),
            _ => null,
        };
    }

    private static byte[]? AnswerConflict(SerfQueryEvent query, IInternalQueryHost host)
    {
        var node = System.Text.Encoding.UTF8.GetString(query.Payload ?? []);
        if (node == host.LocalName) return null;
        return SerfCodec.Encode(new ConflictResponse(host.ConflictView(node)));
    }

    /// <summary>
    /// install-key, use-key, remove-key: decode the key request, refuse without a keyring or when
    /// <paramref name="check"/> says why not, else persist and use the changed keyring.
    /// </summary>
    private static KeyResponse ChangeKey(SerfQueryEvent query, IInternalQueryHost host, Func<Keyring, byte[], string?> check, Func<Keyring, byte[], Keyring> change)
    {
        if (!SerfCodec.TryDecode<KeyRequest>(query.Payload ?? [], out var request, out _)) return new KeyResponse(false, "", null, "");
        if (host.Keyring is not { } keyring) return new KeyResponse(false, NoKeyringMessage, null, "");
        var key = request.Key ?? [];
        var error = check(keyring, key) ?? host.ReplaceKeyring(change(keyring, key));
        return new KeyResponse(error is null, error ?? "", null, "");
    }

    /// <summary>list-keys: every key in base64, primary first, cut to what fits one response (with a message saying so).</summary>
    private static byte[]? AnswerListKeys(SerfQueryEvent query, IInternalQueryHost host)
    {
        if (host.Keyring is not { } keyring) return SerfCodec.Encode(new KeyResponse(false, EmptyKeyringMessage, null, ""));
        var keys = new List<string>(keyring.Count);
        foreach (var key in keyring.Keys) keys.Add(Convert.ToBase64String(key));
        var primary = Convert.ToBase64String(keyring.PrimaryKey);
        var response = new KeyResponse(true, "", keys, primary);
        var payload = SerfCodec.Encode(response);
        if (host.ResponseFits(query, payload)) return payload;
        // One key fewer each time until the answer fits, saying how many are left out.
        for (var shown = keys.Count - 1; shown >= 0; shown--)
        {
            payload = SerfCodec.Encode(response with
            {
                Keys = keys.GetRange(0, shown),
                Message = $"truncated key list response, showing first {shown} of {keys.Count} keys",
            });
            if (host.ResponseFits(query, payload)) return payload;
        }
        return null;
    }
}
