using Praetor.State.Commands;
using Praetor.State.Kv;
using Praetor.State.Watch;
using static Praetor.State.Commands.KvVerb;

namespace Praetor.State.Tests;

public class TxnExecutorTests
{
    private static KvTable Locked(string key, string session, ulong lockIndex) =>
        KvTable.Empty.With(key, 3, "held", session: session, lockIndex: lockIndex);

    private static TxnError SingleError(TxnResult result)
    {
        Assert.False(result.Committed);
        Assert.Empty(result.Results);
        return Assert.Single(result.Errors);
    }

    private static void AssertFailsWith(KvTable table, KvOperation op, string expected)
    {
        var before = table;
        var changes = new KeyChanges();

        var result = Kv.Txn(ref table, 10, changes, op);

        Assert.Equal(new TxnError(0, expected), SingleError(result));
        Assert.Same(before, table);
        Assert.Equal(0, changes.Count);
    }

    // --- set ---

    [Fact]
    public void Set_creates_a_key_stamped_with_the_txn_index_and_returns_it_without_value()
    {
        var table = KvTable.Empty;

        var result = Kv.Txn(ref table, 7, Kv.Op(Set, "k", "v", flags: 42));

        Assert.True(result.Committed);
        Kv.AssertSameEntry(new KvEntry("k", null, 42, 7, 7, 0, null), Assert.Single(result.Results));
        Kv.AssertSameEntry(new KvEntry("k", Kv.Bytes("v"), 42, 7, 7, 0, null), table.Get("k"));
        Assert.Equal(7UL, table.Index);
    }

    [Fact]
    public void Set_on_an_existing_key_keeps_CreateIndex_and_advances_ModifyIndex()
    {
        var table = KvTable.Empty.With("k", 3, "old");

        Kv.Txn(ref table, 8, Kv.Op(Set, "k", "new"));

        Kv.AssertSameEntry(new KvEntry("k", Kv.Bytes("new"), 0, 3, 8, 0, null), table.Get("k"));
    }

    [Fact]
    public void Set_with_identical_contents_keeps_ModifyIndex_and_records_no_change()
    {
        var table = KvTable.Empty.With("k", 3, "same", flags: 5);
        var before = table;
        var changes = new KeyChanges();

        var result = Kv.Txn(ref table, 8, changes, Kv.Op(Set, "k", "same", flags: 5));

        Assert.True(result.Committed);
        Assert.Equal(3UL, Assert.Single(result.Results).ModifyIndex);
        Assert.Null(result.Results[0].Value);
        Assert.Same(before, table);
        Assert.Equal(3UL, table.Index);
        Assert.Equal(0, changes.Count);
    }

    [Fact]
    public void Set_with_null_value_over_an_empty_value_is_not_a_change()
    {
        var table = KvTable.Empty.Set(new KvEntry("k", [], 0, 3, 3, 0, null), 3);

        Kv.Txn(ref table, 8, Kv.Op(Set, "k", value: null));

        Assert.Equal(3UL, table.Get("k")!.ModifyIndex);
    }

    [Fact]
    public void Set_with_same_value_but_new_flags_is_a_change()
    {
        var table = KvTable.Empty.With("k", 3, "same", flags: 5);

        Kv.Txn(ref table, 8, Kv.Op(Set, "k", "same", flags: 6));

        Assert.Equal(8UL, table.Get("k")!.ModifyIndex);
        Assert.Equal(6UL, table.Get("k")!.Flags);
    }

    [Fact]
    public void Set_on_a_locked_key_overwrites_the_value_but_keeps_LockIndex_and_Session()
    {
        var table = Locked("k", "s1", 4);

        var result = Kv.Txn(ref table, 8, Kv.Op(Set, "k", "new", session: "ignored"));

        Kv.AssertSameEntry(new KvEntry("k", Kv.Bytes("new"), 0, 3, 8, 4, "s1"), table.Get("k"));
        Assert.Equal("s1", Assert.Single(result.Results).Session);
    }

    [Fact]
    public void Set_of_a_new_key_ignores_the_operation_session()
    {
        var table = KvTable.Empty;

        Kv.Txn(ref table, 8, Kv.Op(Set, "k", "v", session: "s1"));

        Assert.Null(table.Get("k")!.Session);
        Assert.Equal(0UL, table.Get("k")!.LockIndex);
    }

    // --- cas ---

    [Fact]
    public void Cas_with_index_zero_creates_a_missing_key()
    {
        var table = KvTable.Empty;

        var result = Kv.Txn(ref table, 4, Kv.Op(Cas, "k", "v", index: 0));

        Assert.True(result.Committed);
        Assert.Equal(4UL, table.Get("k")!.CreateIndex);
    }

    [Fact]
    public void Cas_with_index_zero_on_an_existing_key_fails_and_changes_nothing() =>
        AssertFailsWith(KvTable.Empty.With("k", 3), Kv.Op(Cas, "k", "v", index: 0), "failed to set key \"k\", index is stale");

    [Fact]
    public void Cas_with_the_current_index_updates_the_key()
    {
        var table = KvTable.Empty.With("k", 3, "old");

        var result = Kv.Txn(ref table, 9, Kv.Op(Cas, "k", "new", index: 3));

        Assert.True(result.Committed);
        Kv.AssertSameEntry(new KvEntry("k", Kv.Bytes("new"), 0, 3, 9, 0, null), table.Get("k"));
    }

    [Fact]
    public void Cas_with_stale_index_fails_and_changes_nothing() =>
        AssertFailsWith(KvTable.Empty.With("k", 3).With("k", 5), Kv.Op(Cas, "k", "v", index: 3), "failed to set key \"k\", index is stale");

    [Fact]
    public void Cas_with_nonzero_index_on_a_missing_key_fails() =>
        AssertFailsWith(KvTable.Empty, Kv.Op(Cas, "k", "v", index: 3), "failed to set key \"k\", index is stale");

    [Fact]
    public void Cas_keeps_LockIndex_and_Session_like_set()
    {
        var table = Locked("k", "s1", 2);

        Kv.Txn(ref table, 9, Kv.Op(Cas, "k", "new", index: 3));

        Kv.AssertSameEntry(new KvEntry("k", Kv.Bytes("new"), 0, 3, 9, 2, "s1"), table.Get("k"));
    }

    // --- lock / unlock ---

    [Fact]
    public void Lock_without_a_session_fails_with_missing_session() =>
        AssertFailsWith(KvTable.Empty, Kv.Op(KvVerb.Lock, "k", "v"), "missing session");

    [Fact]
    public void Lock_with_an_unknown_session_fails_with_invalid_session() =>
        AssertFailsWith(KvTable.Empty, Kv.Op(KvVerb.Lock, "k", "v", session: "abc"), "invalid session \"abc\"");

    [Fact]
    public void Unlock_without_a_session_fails_with_missing_session() =>
        AssertFailsWith(Locked("k", "s1", 1), Kv.Op(Unlock, "k", "v", session: ""), "missing session");

    [Fact]
    public void Unlock_by_the_holder_clears_the_session_and_keeps_LockIndex_and_CreateIndex()
    {
        var table = Locked("k", "s1", 4);
        var changes = new KeyChanges();

        var result = Kv.Txn(ref table, 9, changes, Kv.Op(Unlock, "k", "released", session: "s1", flags: 2));

        Assert.True(result.Committed);
        Kv.AssertSameEntry(new KvEntry("k", Kv.Bytes("released"), 2, 3, 9, 4, null), table.Get("k"));
        Kv.AssertSameEntry(new KvEntry("k", null, 2, 3, 9, 4, null), Assert.Single(result.Results));
        Assert.Equal(1, changes.Count);
    }

    [Theory]
    [InlineData("s2")]
    [InlineData("s1 ")]
    public void Unlock_by_another_session_fails_and_changes_nothing(string session) =>
        AssertFailsWith(Locked("k", "s1", 1), Kv.Op(Unlock, "k", "v", session: session),
            "failed to unlock key \"k\", lock isn't held, or is held by another session");

    [Fact]
    public void Unlock_of_an_unlocked_key_fails() =>
        AssertFailsWith(KvTable.Empty.With("k", 3), Kv.Op(Unlock, "k", "v", session: "s1"),
            "failed to unlock key \"k\", lock isn't held, or is held by another session");

    [Fact]
    public void Unlock_of_a_missing_key_fails() =>
        AssertFailsWith(KvTable.Empty, Kv.Op(Unlock, "k", "v", session: "s1"),
            "failed to unlock key \"k\", lock isn't held, or is held by another session");

    // --- reads ---

    [Fact]
    public void Get_returns_the_entry_with_its_value()
    {
        var table = KvTable.Empty.With("k", 3, "v", session: "s", lockIndex: 2, flags: 9);

        var result = Kv.Txn(ref table, 10, Kv.Op(Get, "k"));

        Kv.AssertSameEntry(new KvEntry("k", Kv.Bytes("v"), 9, 3, 3, 2, "s"), Assert.Single(result.Results));
    }

    [Fact]
    public void Get_of_a_missing_key_fails_with_doesnt_exist() =>
        AssertFailsWith(KvTable.Empty.With("k2", 3), Kv.Op(Get, "k"), "key \"k\" doesn't exist");

    [Fact]
    public void GetOrEmpty_returns_an_existing_entry_with_its_value()
    {
        var table = KvTable.Empty.With("k", 3, "v");

        var result = Kv.Txn(ref table, 10, Kv.Op(GetOrEmpty, "k"));

        Kv.AssertSameEntry(new KvEntry("k", Kv.Bytes("v"), 0, 3, 3, 0, null), Assert.Single(result.Results));
    }

    [Fact]
    public void GetOrEmpty_of_a_missing_key_succeeds_with_an_empty_entry_for_that_key()
    {
        // Consul (txn.go, KVGetOrEmpty) answers with the operation's own entry, value blanked.
        var table = KvTable.Empty;

        var result = Kv.Txn(ref table, 10, Kv.Op(GetOrEmpty, "k", "ignored"));

        Assert.True(result.Committed);
        Kv.AssertSameEntry(new KvEntry("k", null, 0, 0, 0, 0, null), Assert.Single(result.Results));
    }

    [Fact]
    public void GetOrEmpty_of_a_missing_key_echoes_the_operation_fields_as_Consul_does()
    {
        var table = KvTable.Empty;

        var result = Kv.Txn(ref table, 10, Kv.Op(GetOrEmpty, "k", "ignored", index: 4, session: "s", flags: 3));

        Kv.AssertSameEntry(new KvEntry("k", null, 3, 0, 4, 0, "s"), Assert.Single(result.Results));
        Assert.Same(KvTable.Empty, table);
    }

    [Fact]
    public void GetTree_returns_the_entries_under_the_prefix_with_values_in_key_order()
    {
        var table = Kv.Table("a/2", "a", "a/1", "b/1");

        var result = Kv.Txn(ref table, 10, Kv.Op(GetTree, "a/"));

        Assert.Equal(["a/1", "a/2"], result.Results.Keys());
        Assert.Equal(["v-a/1", "v-a/2"], result.Results.Select(e => Kv.Text(e.Value)));
    }

    [Fact]
    public void GetTree_with_empty_prefix_returns_everything_and_with_nothing_under_it_returns_nothing()
    {
        var table = Kv.Table("a", "b");

        Assert.Equal(["a", "b"], Kv.Txn(ref table, 10, Kv.Op(GetTree, "")).Results.Keys());
        var none = Kv.Txn(ref table, 10, Kv.Op(GetTree, "c"));
        Assert.True(none.Committed);
        Assert.Empty(none.Results);
    }

    [Fact]
    public void CheckIndex_with_the_current_index_succeeds_with_the_entry_without_value()
    {
        var table = KvTable.Empty.With("k", 4, "v");

        var result = Kv.Txn(ref table, 10, Kv.Op(CheckIndex, "k", index: 4));

        Kv.AssertSameEntry(new KvEntry("k", null, 0, 4, 4, 0, null), Assert.Single(result.Results));
    }

    [Fact]
    public void CheckIndex_with_another_index_fails_naming_both_indexes() =>
        AssertFailsWith(KvTable.Empty.With("k", 5), Kv.Op(CheckIndex, "k", index: 4),
            "failed index check for key \"k\", current modify index 5 != 4");

    [Fact]
    public void CheckIndex_of_a_missing_key_fails() =>
        AssertFailsWith(KvTable.Empty, Kv.Op(CheckIndex, "k", index: 4), "failed to check index, key \"k\" doesn't exist");

    [Fact]
    public void CheckSession_with_the_holding_session_succeeds_with_the_entry_without_value()
    {
        var table = Locked("k", "s1", 1);

        var result = Kv.Txn(ref table, 10, Kv.Op(CheckSession, "k", session: "s1"));

        Kv.AssertSameEntry(new KvEntry("k", null, 0, 3, 3, 1, "s1"), Assert.Single(result.Results));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void CheckSession_with_no_session_succeeds_on_an_unlocked_key(string? session)
    {
        var table = KvTable.Empty.With("k", 3);

        Assert.True(Kv.Txn(ref table, 10, Kv.Op(CheckSession, "k", session: session)).Committed);
    }

    [Fact]
    public void CheckSession_with_another_session_fails_naming_both_sessions() =>
        AssertFailsWith(Locked("k", "s1", 1), Kv.Op(CheckSession, "k", session: "s2"),
            "failed session check for key \"k\", current session \"s1\" != \"s2\"");

    [Fact]
    public void CheckSession_on_an_unlocked_key_fails_with_an_empty_current_session() =>
        AssertFailsWith(KvTable.Empty.With("k", 3), Kv.Op(CheckSession, "k", session: "s2"),
            "failed session check for key \"k\", current session \"\" != \"s2\"");

    [Fact]
    public void CheckSession_of_a_missing_key_fails() =>
        AssertFailsWith(KvTable.Empty, Kv.Op(CheckSession, "k", session: "s1"), "failed to check session, key \"k\" doesn't exist");

    [Fact]
    public void CheckNotExists_of_a_missing_key_succeeds_without_a_result()
    {
        var table = KvTable.Empty.With("k2", 3);

        var result = Kv.Txn(ref table, 10, Kv.Op(CheckNotExists, "k"));

        Assert.True(result.Committed);
        Assert.Empty(result.Results);
    }

    [Fact]
    public void CheckNotExists_of_an_existing_key_fails() =>
        AssertFailsWith(KvTable.Empty.With("k", 3), Kv.Op(CheckNotExists, "k"), "key \"k\" exists");

    [Fact]
    public void Read_verbs_change_nothing()
    {
        var table = Locked("k", "s1", 1);
        var before = table;
        var changes = new KeyChanges();

        var result = Kv.Txn(ref table, 10, changes,
            Kv.Op(Get, "k"), Kv.Op(GetOrEmpty, "k"), Kv.Op(GetOrEmpty, "x"), Kv.Op(GetTree, ""),
            Kv.Op(CheckIndex, "k", index: 3), Kv.Op(CheckSession, "k", session: "s1"), Kv.Op(CheckNotExists, "x"));

        Assert.True(result.Committed);
        Assert.Same(before, table);
        Assert.Equal(0, changes.Count);
    }

    // --- deletes ---

    [Fact]
    public void Delete_removes_the_key_leaves_a_tombstone_and_returns_no_result()
    {
        var table = Kv.Table("a", "b");
        var changes = new KeyChanges();

        var result = Kv.Txn(ref table, 9, changes, Kv.Op(Delete, "a"));

        Assert.True(result.Committed);
        Assert.Empty(result.Results);
        Assert.Null(table.Get("a"));
        Assert.Equal([new KvTombstone("a", 9)], table.Tombstones);
        Assert.Equal(1, changes.Count);
    }

    [Fact]
    public void Delete_of_a_missing_key_succeeds_and_changes_nothing()
    {
        var table = Kv.Table("a");
        var before = table;
        var changes = new KeyChanges();

        Assert.True(Kv.Txn(ref table, 9, changes, Kv.Op(Delete, "b")).Committed);
        Assert.Same(before, table);
        Assert.Equal(0, changes.Count);
    }

    [Fact]
    public void Delete_of_a_locked_key_deletes_it()
    {
        var table = Locked("k", "s1", 1);

        Kv.Txn(ref table, 9, Kv.Op(Delete, "k"));

        Assert.Null(table.Get("k"));
    }

    [Fact]
    public void DeleteCas_with_the_current_index_deletes_the_key()
    {
        var table = KvTable.Empty.With("k", 3);

        Assert.True(Kv.Txn(ref table, 9, Kv.Op(DeleteCas, "k", index: 3)).Committed);
        Assert.Null(table.Get("k"));
        Assert.Equal([new KvTombstone("k", 9)], table.Tombstones);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(2UL)]
    [InlineData(4UL)]
    public void DeleteCas_with_another_index_fails_and_changes_nothing(ulong index) =>
        AssertFailsWith(KvTable.Empty.With("k", 3), Kv.Op(DeleteCas, "k", index: index), "failed to delete key \"k\", index is stale");

    [Fact]
    public void DeleteCas_of_a_missing_key_succeeds_as_already_deleted()
    {
        var table = Kv.Table("a");
        var before = table;

        Assert.True(Kv.Txn(ref table, 9, Kv.Op(DeleteCas, "k", index: 7)).Committed);
        Assert.Same(before, table);
    }

    [Fact]
    public void DeleteTree_removes_the_keys_under_the_prefix_and_returns_no_result()
    {
        var table = Kv.Table("a", "a/1", "a/2", "b");
        var changes = new KeyChanges();

        var result = Kv.Txn(ref table, 9, changes, Kv.Op(DeleteTree, "a/"));

        Assert.True(result.Committed);
        Assert.Empty(result.Results);
        Assert.Equal(["a", "b"], table.List("").Keys());
        Assert.Equal(1, changes.Count);
    }

    [Fact]
    public void DeleteTree_of_an_empty_subtree_records_no_change()
    {
        var table = Kv.Table("a");
        var changes = new KeyChanges();

        Assert.True(Kv.Txn(ref table, 9, changes, Kv.Op(DeleteTree, "b/")).Committed);
        Assert.Equal(0, changes.Count);
    }

    // --- transactions as a whole ---

    [Fact]
    public void Txn_with_one_failing_operation_changes_nothing_and_records_no_change()
    {
        var table = Kv.Table("a", "b", "c");
        var before = table;
        var changes = new KeyChanges();

        var result = Kv.Txn(ref table, 9, changes,
            Kv.Op(Set, "a", "new"), Kv.Op(Delete, "b"), Kv.Op(DeleteTree, ""), Kv.Op(Cas, "c", "x", index: 99), Kv.Op(Set, "d", "d"));

        Assert.Equal(new TxnError(3, "failed to set key \"c\", index is stale"), SingleError(result));
        Assert.Same(before, table);
        Assert.Equal(0, changes.Count);
    }

    [Fact]
    public void Txn_reports_every_failing_operation_with_its_position()
    {
        var table = Kv.Table("a");

        var result = Kv.Txn(ref table, 9,
            Kv.Op(Get, "missing"), Kv.Op(Set, "b", "v"), Kv.Op(CheckNotExists, "a"), Kv.Op(KvVerb.Lock, "a", session: null));

        Assert.False(result.Committed);
        Assert.Empty(result.Results);
        Assert.Equal(
            [new TxnError(0, "key \"missing\" doesn't exist"), new TxnError(2, "key \"a\" exists"), new TxnError(3, "missing session")],
            result.Errors);
    }

    [Fact]
    public void Txn_operations_see_the_writes_of_earlier_operations()
    {
        var table = Kv.Table("old");

        var result = Kv.Txn(ref table, 9,
            Kv.Op(CheckNotExists, "k"), Kv.Op(Set, "k", "v"), Kv.Op(CheckIndex, "k", index: 9), Kv.Op(Get, "k"),
            Kv.Op(Delete, "old"), Kv.Op(CheckNotExists, "old"), Kv.Op(Cas, "old", "again", index: 0));

        Assert.True(result.Committed, string.Join("; ", result.Errors));
        Assert.Equal(["k", "k", "k", "old"], result.Results.Keys());
        Assert.Equal("v", Kv.Text(result.Results[2].Value));
        Assert.Empty(table.Tombstones);
        Assert.Equal(9UL, table.Get("old")!.CreateIndex);
    }

    [Fact]
    public void Txn_results_follow_operation_order_and_only_reads_carry_values()
    {
        var table = Kv.Table("a", "b");

        var result = Kv.Txn(ref table, 9,
            Kv.Op(Get, "b"), Kv.Op(Set, "c", "vc"), Kv.Op(GetTree, "a"), Kv.Op(CheckIndex, "a", index: 1), Kv.Op(Delete, "b"));

        Assert.Equal(["b", "c", "a", "a"], result.Results.Keys());
        Assert.Equal(["v-b", null, "v-a", null], result.Results.Select(e => Kv.Text(e.Value)));
    }

    [Fact]
    public void Txn_of_an_operation_that_is_not_KV_fails_with_no_operation_specified()
    {
        var table = KvTable.Empty;

        var result = Kv.Txn(ref table, 9, Kv.Op(Set, "a", "v"), new NotKvOperation());

        Assert.Equal(new TxnError(1, "no operation specified"), SingleError(result));
        Assert.Same(KvTable.Empty, table);
    }

    [Fact]
    public void Empty_txn_commits_with_no_results()
    {
        var table = Kv.Table("a");

        var result = Kv.Txn(ref table, 9);

        Assert.True(result.Committed);
        Assert.Empty(result.Results);
    }

    private sealed record NotKvOperation : TxnOperation;
}
