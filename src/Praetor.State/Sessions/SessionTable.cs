using System.Collections.Immutable;

namespace Praetor.State.Sessions;

/// <summary>
/// The session table: sessions by ID in a persistent sorted map (a snapshot is a reference copy),
/// with the index of the table's last change (Consul's "sessions" index, reported by
/// <c>/v1/session/list</c>, <c>node</c> and <c>info</c>).
/// </summary>
public sealed class SessionTable
{
    public static readonly SessionTable Empty = new(ImmutableSortedDictionary.Create<string, Session>(StringComparer.Ordinal), 0);

    private readonly ImmutableSortedDictionary<string, Session> _sessions;

    private SessionTable(ImmutableSortedDictionary<string, Session> sessions, ulong index)
    {
        _sessions = sessions;
        Index = index;
    }

    /// <summary>The last index at which a session was created or destroyed.</summary>
    public ulong Index { get; }

    public int Count => _sessions.Count;

    /// <summary>Every session, by ID.</summary>
    public IEnumerable<Session> All => _sessions.Values;

    public Session? Get(string id) => _sessions.GetValueOrDefault(id);

    /// <summary>The sessions bound to <paramref name="node"/> (matched case-insensitively, as the catalog's names), by ID.</summary>
    public IEnumerable<Session> OnNode(string node) =>
        _sessions.Values.Where(s => string.Equals(s.Node, node, StringComparison.OrdinalIgnoreCase));

    internal SessionTable Put(Session session, ulong index) => new(_sessions.SetItem(session.Id, session), index);

    internal SessionTable Remove(string id, ulong index) => _sessions.ContainsKey(id) ? new(_sessions.Remove(id), index) : this;

    internal static SessionTable Restore(IEnumerable<Session> sessions, ulong index) =>
        new(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, sessions.Select(s => KeyValuePair.Create(s.Id, s))), index);
}

/// <summary>
/// The keys blocking session queries watch in <see cref="StateStore.SessionWatches"/>: <c>i/&lt;id&gt;</c>
/// for one session, <c>n/&lt;node&gt;</c> for a node's (lowercased); a list watches the prefix "".
/// </summary>
public static class SessionWatchKeys
{
    public static string Id(string id) => "i/" + id;

    public static string Node(string node) => "n/" + node.ToLowerInvariant();
}
