using Praetor.State.Kv;

namespace Praetor.State.Tests;

public class KvTableTests
{
    [Fact]
    public void Get_returns_the_entry_for_a_present_key_and_null_for_a_missing_one()
    {
        var table = Kv.Table("a", "b");

        Assert.Equal("v-a", Kv.Text(table.Get("a")?.Value));
        Assert.Null(table.Get("c"));
        Assert.Null(table.Get("A"));
        Assert.Null(table.Get(""));
    }

    [Fact]
    public void Empty_table_lists_nothing_and_has_index_zero()
    {
        Assert.Empty(KvTable.Empty.List(""));
        Assert.Empty(KvTable.Empty.List("a"));
        Assert.Equal(0UL, KvTable.Empty.Index);
        Assert.Equal(0UL, KvTable.Empty.IndexOfPrefix("a"));
    }

    [Fact]
    public void List_with_empty_prefix_returns_every_entry_in_ordinal_key_order()
    {
        var table = Kv.Table("b", "a/b", "a", "A", "a/", "é", "Z");

        Assert.Equal(["A", "Z", "a", "a/", "a/b", "b", "é"], table.List("").Keys());
    }

    [Fact]
    public void List_with_prefix_equal_to_a_key_includes_that_key_and_every_longer_key()
    {
        var table = Kv.Table("wea", "web", "web/a", "web/b", "webx", "wf");

        Assert.Equal(["web", "web/a", "web/b", "webx"], table.List("web").Keys());
        Assert.Equal(["web/a", "web/b"], table.List("web/").Keys());
        Assert.Equal(["web/a"], table.List("web/a").Keys());
    }

    [Fact]
    public void List_separates_keys_sharing_leading_characters_by_the_exact_prefix()
    {
        var table = Kv.Table("foo/bar", "foo/bar/x", "foo/barbaz", "foo/baz", "foo/ba");

        Assert.Equal(["foo/bar/x"], table.List("foo/bar/").Keys());
        Assert.Equal(["foo/bar", "foo/bar/x", "foo/barbaz"], table.List("foo/bar").Keys());
        Assert.Equal(["foo/ba", "foo/bar", "foo/bar/x", "foo/barbaz", "foo/baz"], table.List("foo/ba").Keys());
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("0")]
    [InlineData("z")]
    [InlineData("a/c/")]
    [InlineData("a/cc")]
    public void List_with_prefix_matching_no_key_is_empty(string prefix)
    {
        var table = Kv.Table("a/a", "a/c", "b");

        Assert.Empty(table.List(prefix));
    }

    [Fact]
    public void List_matches_a_naive_prefix_filter_for_random_keys_and_prefixes()
    {
        const int seed = 20240611;
        var random = new Random(seed);
        const string alphabet = "ab/";
        for (var round = 0; round < 300; round++)
        {
            var keys = Enumerable.Range(0, random.Next(0, 30)).Select(_ => RandomString(random, alphabet, 1, 5)).Distinct().ToList();
            var table = Kv.Table([.. keys]);
            for (var probe = 0; probe < 10; probe++)
            {
                var prefix = RandomString(random, alphabet, 0, 4);
                var expected = keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
                var actual = table.List(prefix).Keys();
                Assert.True(expected.SequenceEqual(actual),
                    $"seed {seed}, round {round}: List(\"{prefix}\") over [{string.Join(",", keys)}] gave [{string.Join(",", actual)}], expected [{string.Join(",", expected)}]");
            }
        }
    }

    [Fact]
    public void Set_replaces_an_existing_entry_and_advances_the_table_index()
    {
        var table = Kv.Table("a", "b").With("a", 9, "new");

        Assert.Equal(2, table.Count);
        Assert.Equal("new", Kv.Text(table.Get("a")?.Value));
        Assert.Equal(9UL, table.Index);
    }

    [Fact]
    public void Writes_leave_earlier_tables_unchanged()
    {
        var before = Kv.Table("a", "b");
        _ = before.With("a", 5, "changed").With("c", 6).Delete("b", 7).DeleteTree("", 8);

        Assert.Equal(["a", "b"], before.List("").Keys());
        Assert.Equal("v-a", Kv.Text(before.Get("a")?.Value));
        Assert.Empty(before.Tombstones);
        Assert.Equal(2UL, before.Index);
    }

    [Fact]
    public void Delete_removes_the_key_and_leaves_a_tombstone_at_the_delete_index()
    {
        var table = Kv.Table("a", "b").Delete("a", 7);

        Assert.Null(table.Get("a"));
        Assert.Equal([new KvTombstone("a", 7)], table.Tombstones);
        Assert.Equal(7UL, table.Index);
    }

    [Fact]
    public void Delete_of_a_missing_key_changes_nothing()
    {
        var table = Kv.Table("a");

        var after = table.Delete("nope", 7);

        Assert.Same(table, after);
        Assert.Empty(after.Tombstones);
        Assert.Equal(1UL, after.Index);
    }

    [Fact]
    public void DeleteTree_removes_only_keys_under_the_prefix_and_leaves_a_tombstone_for_each()
    {
        var table = Kv.Table("a", "a/1", "a/2", "a/2/x", "a0", "b").DeleteTree("a/", 10);

        Assert.Equal(["a", "a0", "b"], table.List("").Keys());
        Assert.Equal([new KvTombstone("a/1", 10), new KvTombstone("a/2", 10), new KvTombstone("a/2/x", 10)], table.Tombstones);
        Assert.Equal(10UL, table.Index);
    }

    [Fact]
    public void DeleteTree_with_empty_prefix_deletes_every_key()
    {
        var table = Kv.Table("a", "b/c").DeleteTree("", 5);

        Assert.Equal(0, table.Count);
        Assert.Equal(["a", "b/c"], table.Tombstones.Select(t => t.Key));
    }

    [Fact]
    public void DeleteTree_of_a_prefix_without_keys_changes_nothing()
    {
        var table = Kv.Table("a/1");

        Assert.Same(table, table.DeleteTree("b/", 9));
    }

    [Fact]
    public void Recreating_a_deleted_key_removes_its_tombstone()
    {
        var table = Kv.Table("a", "b").Delete("a", 3).Delete("b", 4).With("a", 5);

        Assert.Equal([new KvTombstone("b", 4)], table.Tombstones);
        Assert.NotNull(table.Get("a"));
    }

    [Fact]
    public void Deleting_a_key_again_moves_its_tombstone_to_the_new_index()
    {
        var table = Kv.Table("a").Delete("a", 3).With("a", 4).Delete("a", 5);

        Assert.Equal([new KvTombstone("a", 5)], table.Tombstones);
    }

    [Fact]
    public void IndexOfPrefix_is_the_highest_ModifyIndex_under_the_prefix()
    {
        var table = KvTable.Empty.With("a/1", 3).With("a/2", 5).With("b", 8).With("a/1", 9).With("c", 12);

        Assert.Equal(9UL, table.IndexOfPrefix("a/"));
        Assert.Equal(8UL, table.IndexOfPrefix("b"));
        Assert.Equal(12UL, table.Index);
    }

    [Fact]
    public void IndexOfPrefix_does_not_slide_back_when_the_newest_key_under_the_prefix_is_deleted()
    {
        var table = KvTable.Empty.With("a/1", 5).With("a/2", 6).With("b", 7);

        table = table.Delete("a/2", 8);
        Assert.Equal(8UL, table.IndexOfPrefix("a/"));

        table = table.Delete("a/1", 9);
        Assert.Equal(9UL, table.IndexOfPrefix("a/"));

        table = table.With("b", 10, "changed");
        Assert.Equal(9UL, table.IndexOfPrefix("a/"));
    }

    [Fact]
    public void IndexOfPrefix_after_DeleteTree_is_the_delete_index()
    {
        var table = KvTable.Empty.With("a/1", 5).With("a/2", 6).With("b", 7).DeleteTree("a/", 8).With("b", 9, "x");

        Assert.Equal(8UL, table.IndexOfPrefix("a/"));
        Assert.Equal(8UL, table.IndexOfPrefix("a/1"));
    }

    [Fact]
    public void IndexOfPrefix_ignores_tombstones_outside_the_prefix()
    {
        var table = KvTable.Empty.With("a/1", 5).With("ab", 6).Delete("ab", 7);

        Assert.Equal(5UL, table.IndexOfPrefix("a/"));
        Assert.Equal(7UL, table.IndexOfPrefix("a"));
    }

    [Fact]
    public void IndexOfPrefix_with_nothing_under_the_prefix_is_the_table_index()
    {
        var table = KvTable.Empty.With("a/1", 5).With("b", 6);

        Assert.Equal(6UL, table.IndexOfPrefix("zzz"));
    }

    [Fact]
    public void IndexOfPrefix_with_empty_prefix_is_the_table_index_including_deletes()
    {
        var table = KvTable.Empty.With("a", 5).With("b", 6).Delete("a", 7);

        Assert.Equal(7UL, table.IndexOfPrefix(""));
    }

    [Fact]
    public void IndexOfPrefix_never_decreases_across_random_writes_and_deletes_until_reaped()
    {
        const int seed = 4242;
        var random = new Random(seed);
        string[] prefixes = ["", "a", "a/", "a/b", "b/", "c"];
        var table = KvTable.Empty;
        var last = prefixes.ToDictionary(p => p, _ => 0UL);
        for (ulong index = 1; index <= 2000; index++)
        {
            var key = RandomString(random, "ab/", 1, 4);
            table = random.Next(4) switch
            {
                0 => table.Delete(key, index),
                1 => table.DeleteTree(key, index),
                _ => table.With(key, index, index.ToString()),
            };
            foreach (var prefix in prefixes)
            {
                var now = table.IndexOfPrefix(prefix);
                Assert.True(now >= last[prefix], $"seed {seed}, index {index}: IndexOfPrefix(\"{prefix}\") went from {last[prefix]} to {now}");
                last[prefix] = now;
            }
        }
    }

    [Fact]
    public void ReapTombstones_drops_tombstones_at_or_below_the_index_and_keeps_newer_ones()
    {
        var table = Kv.Table("a", "b", "c").Delete("a", 4).Delete("b", 5).Delete("c", 6);

        var reaped = table.ReapTombstones(5);

        Assert.Equal([new KvTombstone("c", 6)], reaped.Tombstones);
        Assert.Equal(table.Index, reaped.Index);
    }

    [Fact]
    public void ReapTombstones_with_nothing_old_enough_changes_nothing()
    {
        var table = Kv.Table("a").Delete("a", 4);

        Assert.Same(table, table.ReapTombstones(3));
    }

    [Fact]
    public void Reaping_lets_a_prefix_index_fall_back_to_its_entries()
    {
        var table = KvTable.Empty.With("a/1", 5).With("a/2", 6).Delete("a/2", 7).With("b", 8);

        Assert.Equal(7UL, table.IndexOfPrefix("a/"));
        Assert.Equal(5UL, table.ReapTombstones(7).IndexOfPrefix("a/"));
    }

    [Fact]
    public void Restore_sorts_entries_and_tombstones_by_key()
    {
        var table = KvTable.Restore(
            [new KvEntry("b", null, 0, 1, 1, 0, null), new KvEntry("a", null, 0, 2, 2, 0, null)],
            [new KvTombstone("z", 3), new KvTombstone("c", 4)],
            4);

        Assert.Equal(["a", "b"], table.List("").Keys());
        Assert.Equal(["c", "z"], table.Tombstones.Select(t => t.Key));
        Assert.NotNull(table.Get("a"));
        Assert.Equal(4UL, table.Index);
    }

    internal static string RandomString(Random random, string alphabet, int minLength, int maxLength)
    {
        var chars = new char[random.Next(minLength, maxLength + 1)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }
        return new string(chars);
    }
}
