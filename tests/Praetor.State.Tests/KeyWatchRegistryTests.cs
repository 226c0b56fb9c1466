using Praetor.State.Watch;

namespace Praetor.State.Tests;

public class KeyWatchRegistryTests
{
    private readonly KeyWatchRegistry _registry = new();

    [Fact]
    public void Key_watch_fires_for_its_key_only()
    {
        using var watch = _registry.WatchKey("a/b");

        foreach (var other in new[] { "a", "a/", "a/b/", "a/b/c", "a/bc", "a/a", "A/b", "" })
        {
            _registry.KeyChanged(other);
        }
        Assert.False(watch.HasFired());

        _registry.KeyChanged("a/b");
        Assert.True(watch.HasFired());
    }

    [Theory]
    [InlineData("a/")]
    [InlineData("a/b")]
    [InlineData("a/b/c/d")]
    public void Prefix_watch_fires_for_the_prefix_itself_and_keys_under_it(string key)
    {
        using var watch = _registry.WatchPrefix("a/");

        _registry.KeyChanged(key);

        Assert.True(watch.HasFired());
    }

    [Theory]
    [InlineData("a")]
    [InlineData("b/a/")]
    [InlineData("")]
    [InlineData("A/b")]
    [InlineData("ab")]
    public void Prefix_watch_ignores_keys_outside_it(string key)
    {
        using var watch = _registry.WatchPrefix("a/");

        _registry.KeyChanged(key);

        Assert.False(watch.HasFired());
    }

    [Fact]
    public void Prefix_watch_without_separator_matches_by_characters_as_Consul_does()
    {
        using var watch = _registry.WatchPrefix("web");

        _registry.KeyChanged("website");

        Assert.True(watch.HasFired());
    }

    [Fact]
    public void Empty_prefix_watch_fires_for_any_key()
    {
        using var watch = _registry.WatchPrefix("");

        _registry.KeyChanged("anything/at/all");

        Assert.True(watch.HasFired());
    }

    [Fact]
    public void TreeChanged_fires_keys_and_prefixes_under_it_and_prefixes_above_it()
    {
        using var keyUnder = _registry.WatchKey("a/b/c");
        using var keyEqual = _registry.WatchKey("a/b/");
        using var prefixUnder = _registry.WatchPrefix("a/b/c/");
        using var prefixEqual = _registry.WatchPrefix("a/b/");
        using var prefixAbove = _registry.WatchPrefix("a/");
        using var prefixPartialAbove = _registry.WatchPrefix("a/b");
        using var root = _registry.WatchPrefix("");

        _registry.TreeChanged("a/b/");

        Assert.All([keyUnder, keyEqual, prefixUnder, prefixEqual, prefixAbove, prefixPartialAbove, root], w => Assert.True(w.HasFired()));
    }

    [Fact]
    public void TreeChanged_leaves_siblings_and_keys_above_alone()
    {
        using var keyAbove = _registry.WatchKey("a/b");
        using var keyParent = _registry.WatchKey("a/");
        using var siblingKey = _registry.WatchKey("a/c/x");
        using var siblingPrefix = _registry.WatchPrefix("a/c/");
        using var lookalike = _registry.WatchPrefix("a/bc");

        _registry.TreeChanged("a/b/");

        Assert.All([keyAbove, keyParent, siblingKey, siblingPrefix, lookalike], w => Assert.False(w.HasFired()));
    }

    [Fact]
    public void AllChanged_fires_every_watch()
    {
        using var key = _registry.WatchKey("x");
        using var prefix = _registry.WatchPrefix("y/");

        _registry.AllChanged();

        Assert.True(key.HasFired());
        Assert.True(prefix.HasFired());
    }

    [Fact]
    public void One_set_over_many_keys_fires_when_any_of_them_changes()
    {
        using var set = new WatchSet();
        _registry.WatchKey(set, "a");
        _registry.WatchKey(set, "b");
        _registry.WatchPrefix(set, "c/");

        _registry.KeyChanged("c/1");

        Assert.True(set.HasFired());
        Assert.Equal(3, _registry.Count);
    }

    [Fact]
    public void Dispose_unregisters_every_watch_of_the_set()
    {
        var set = new WatchSet();
        _registry.WatchKey(set, "a");
        _registry.WatchKey(set, "a");
        _registry.WatchPrefix(set, "a");
        _registry.WatchPrefix(set, "");
        using var other = _registry.WatchKey("a");
        Assert.Equal(4, _registry.Count);

        set.Dispose();

        Assert.Equal(1, _registry.Count);
        _registry.KeyChanged("a");
        Assert.False(set.HasFired());
        Assert.True(other.HasFired());
    }

    [Fact]
    public void Disposing_twice_is_harmless_and_Count_returns_to_zero()
    {
        var set = _registry.WatchPrefix("p/");
        var fired = _registry.WatchKey("k");
        _registry.KeyChanged("k");

        set.Dispose();
        set.Dispose();
        fired.Dispose();

        Assert.Equal(0, _registry.Count);
    }

    [Fact]
    public void A_fired_watch_stays_fired_and_registered_until_disposed()
    {
        var set = _registry.WatchKey("k");
        _registry.KeyChanged("k");
        _registry.KeyChanged("k");

        Assert.True(set.HasFired());
        Assert.Equal(1, _registry.Count);
        set.Dispose();
        Assert.Equal(0, _registry.Count);
    }

    [Fact]
    public async Task Concurrent_register_fire_and_dispose_leaves_no_watches_behind()
    {
        const int seed = 99;
        var workers = Enumerable.Range(0, 16).Select(worker => Task.Run(() =>
        {
            var random = new Random(seed + worker);
            for (var i = 0; i < 2_000; i++)
            {
                var key = KvTableTests.RandomString(random, "ab/", 0, 4);
                using var set = new WatchSet();
                _registry.WatchKey(set, key);
                _registry.WatchPrefix(set, key);
                switch (random.Next(3))
                {
                    case 0: _registry.KeyChanged(key); Assert.True(set.HasFired()); break;
                    case 1: _registry.TreeChanged(key); Assert.True(set.HasFired()); break;
                    default: break;
                }
            }
        })).ToArray();

        await Task.WhenAll(workers).WaitAsync(Kv.Timeout);

        Assert.Equal(0, _registry.Count);
    }
}
