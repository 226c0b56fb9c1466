using System.Text;
using Praetor.State.Commands;
using Praetor.State.Kv;
using Praetor.State.Sessions;
using Praetor.State.Watch;

namespace Praetor.State.Tests;

/// <summary>Builders shared by the tests: tables at chosen indexes, operations, and a watch probe.</summary>
internal static class Kv
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string? Text(byte[]? value) => value is null ? null : Encoding.UTF8.GetString(value);

    /// <summary>A table holding <paramref name="keys"/>, the n-th key written at index n + 1.</summary>
    public static KvTable Table(params string[] keys)
    {
        var table = KvTable.Empty;
        ulong index = 0;
        foreach (var key in keys)
        {
            index++;
            table = table.Set(new KvEntry(key, Bytes("v-" + key), 0, index, index, 0, null), index);
        }
        return table;
    }

    public static KvTable With(this KvTable table, string key, ulong index, string? value = "v", string? session = null, ulong lockIndex = 0, ulong flags = 0) =>
        table.Set(new KvEntry(key, value is null ? null : Bytes(value), flags, index, index, lockIndex, session), index);

    public static string[] Keys(this IEnumerable<KvEntry> entries) => [.. entries.Select(e => e.Key)];

    public static KvOperation Op(KvVerb verb, string key, string? value = null, ulong index = 0, string? session = null, ulong flags = 0) =>
        new(verb, key, value is null ? null : Bytes(value), flags, index, session);

    /// <summary>Runs a transaction at <paramref name="index"/>; the table is replaced only on commit.</summary>
    public static TxnResult Txn(ref KvTable table, ulong index, params TxnOperation[] operations) =>
        TxnExecutor.Execute(ref table, SessionTable.Empty, index, operations, new KeyChanges());

    public static TxnResult Txn(ref KvTable table, ulong index, KeyChanges changes, params TxnOperation[] operations) =>
        TxnExecutor.Execute(ref table, SessionTable.Empty, index, operations, changes);

    /// <summary>Runs a transaction at <paramref name="index"/> with <paramref name="sessions"/> for locks to name.</summary>
    public static TxnResult Txn(ref KvTable table, SessionTable sessions, ulong index, KeyChanges changes, params TxnOperation[] operations) =>
        TxnExecutor.Execute(ref table, sessions, index, operations, changes);

    public static WatchSet WatchKey(this KeyWatchRegistry registry, string key)
    {
        var set = new WatchSet();
        registry.WatchKey(set, key);
        return set;
    }

    public static WatchSet WatchPrefix(this KeyWatchRegistry registry, string prefix)
    {
        var set = new WatchSet();
        registry.WatchPrefix(set, prefix);
        return set;
    }

    public static bool HasFired(this WatchSet set) => set.Fired.IsCompleted;

    public static void AssertSameEntry(KvEntry expected, KvEntry? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Flags, actual.Flags);
        Assert.Equal(expected.CreateIndex, actual.CreateIndex);
        Assert.Equal(expected.ModifyIndex, actual.ModifyIndex);
        Assert.Equal(expected.LockIndex, actual.LockIndex);
        Assert.Equal(expected.Session, actual.Session);
    }
}
