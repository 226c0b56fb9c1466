using Praetor.State.Catalog;
using Praetor.State.Kv;
using Praetor.State.Watch;

namespace Praetor.State.Sessions;

/// <summary>
/// The session rules the state machine applies (Consul's state store session functions): create
/// against the catalog, destroy with the session's behavior on its locks, and invalidation when
/// what a session is bound to changes. All deterministic: every server applies the same result.
/// </summary>
internal static class SessionLifecycle
{
    /// <summary>The state a session's end works on: the tables it changes, what changed, and this server's lock-delays.</summary>
    internal sealed class Work(SessionTable sessions, KvTable kv, KeyChanges sessionChanges, KeyChanges kvChanges, LockDelays delays)
    {
        public SessionTable Sessions = sessions;
        public KvTable Kv = kv;
        public readonly KeyChanges SessionChanges = sessionChanges;
        public readonly KeyChanges KvChanges = kvChanges;
        public readonly LockDelays Delays = delays;
    }

    /// <summary>Creates <paramref name="session"/>, or returns Consul's error and changes nothing.</summary>
    public static string? Create(ref SessionTable sessions, CatalogTable catalog, Session session, ulong index, KeyChanges changes)
    {
        if (session.Id.Length == 0)
        {
            return "Missing session ID";
        }
        if (sessions.Get(session.Id) is not null)
        {
            return $"Session '{session.Id}' already exists";
        }
        var node = catalog.Node(session.Node);
        if (node is null)
        {
            return "Missing node registration";
        }
        foreach (var checkId in session.CheckIds)
        {
            var check = catalog.Check(node.Node, checkId);
            if (check is null)
            {
                return $"Missing check '{checkId}' registration";
            }
            if (check.Status == HealthStatus.Critical)
            {
                return $"Check '{checkId}' is in {check.Status} state";
            }
        }
        sessions = sessions.Put(session with { Node = node.Node, CreateIndex = index, ModifyIndex = index }, index);
        Touch(changes, session.Id, node.Node);
        return null;
    }

    /// <summary>
    /// Ends the session <paramref name="id"/> (a destroy, an expired TTL, an invalidation): its
    /// locks are released (the key stays, without a session) or their keys deleted, by its
    /// behavior, and each such key is held by the session's lock-delay. An unknown ID changes nothing.
    /// </summary>
    public static void Destroy(Work work, string id, ulong index)
    {
        var session = work.Sessions.Get(id);
        if (session is null)
        {
            return;
        }
        // Consul finds the locks by an index of KV entries by session; here a scan of the table.
        foreach (var entry in LockedBy(work.Kv, id))
        {
            if (session.Behavior == SessionBehavior.Delete)
            {
                work.Kv = work.Kv.Delete(entry.Key, index);
            }
            else
            {
                work.Kv = work.Kv.Set(entry with { Session = null, ModifyIndex = index }, index);
            }
            work.KvChanges.Key(entry.Key);
            work.Delays.Set(entry.Key, session.LockDelay);
        }
        work.Sessions = work.Sessions.Remove(id, index);
        Touch(work.SessionChanges, id, session.Node);
    }

    /// <summary>
    /// Destroys the sessions on <paramref name="node"/> that the catalog no longer supports: the node
    /// is gone, or a check a session is bound to is gone or critical (Consul invalidates them when the
    /// check turns critical, is deregistered, or the node is).
    /// </summary>
    public static void Invalidate(Work work, CatalogTable catalog, string node, ulong index)
    {
        List<string>? invalid = null;
        var exists = catalog.Node(node) is not null;
        foreach (var session in work.Sessions.OnNode(node))
        {
            if (!exists || session.CheckIds.Any(id => catalog.Check(session.Node, id) is not { Status: not HealthStatus.Critical }))
            {
                (invalid ??= []).Add(session.Id);
            }
        }
        foreach (var id in invalid ?? [])
        {
            Destroy(work, id, index);
        }
    }

    private static List<KvEntry> LockedBy(KvTable kv, string id)
    {
        var locked = new List<KvEntry>();
        foreach (var entry in kv.Entries)
        {
            if (string.Equals(entry.Session, id, StringComparison.Ordinal))
            {
                locked.Add(entry);
            }
        }
        return locked;
    }

    private static void Touch(KeyChanges changes, string id, string node)
    {
        changes.Key(SessionWatchKeys.Id(id));
        changes.Key(SessionWatchKeys.Node(node));
    }
}
