using System.Diagnostics;
using Xunit.Abstractions;

namespace Praetor.Simulation.Linearizability;

/// <summary>The checker on classic linearizable and non-linearizable histories, unknown outcomes, and a large history within a time bound.</summary>
public class LinearizabilityCheckerTests(ITestOutputHelper output)
{
    private const long Never = long.MaxValue;

    private static CheckOutcome Check(params KvOperation[] history) => LinearizabilityChecker.Check(history).Outcome;

    [Fact]
    public void A_read_after_a_write_returned_must_see_it()
    {
        Assert.Equal(CheckOutcome.Linearizable, Check(KvOperation.Put(0, "x", "1", 0, 10), KvOperation.Get(1, "x", "1", 20, 30)));
        Assert.Equal(CheckOutcome.NotLinearizable, Check(KvOperation.Put(0, "x", "1", 0, 10), KvOperation.Get(1, "x", null, 20, 30)));
    }

    [Fact]
    public void A_read_concurrent_with_a_write_may_see_either_value()
    {
        Assert.Equal(CheckOutcome.Linearizable, Check(KvOperation.Put(0, "x", "1", 0, 10), KvOperation.Get(1, "x", "1", 5, 6)));
        Assert.Equal(CheckOutcome.Linearizable, Check(KvOperation.Put(0, "x", "1", 0, 10), KvOperation.Get(1, "x", null, 5, 6)));
        Assert.Equal(CheckOutcome.NotLinearizable, Check(KvOperation.Put(0, "x", "1", 0, 10), KvOperation.Get(1, "x", "2", 5, 6)));
    }

    [Fact]
    public void Porcupine_readme_history_two_reads_inside_a_write()
    {
        // Both reads overlap the write: the read of the old value is ordered before it, the read of the new value after it.
        Assert.Equal(CheckOutcome.Linearizable, Check(
            KvOperation.Put(0, "x", "100", 0, 100),
            KvOperation.Get(1, "x", "100", 25, 75),
            KvOperation.Get(2, "x", null, 30, 60)));
        // Once a read has returned the new value, a later read may not see the old one (new-old inversion).
        Assert.Equal(CheckOutcome.NotLinearizable, Check(
            KvOperation.Put(0, "x", "100", 0, 100),
            KvOperation.Get(1, "x", "100", 25, 75),
            KvOperation.Get(2, "x", null, 80, 90)));
    }

    [Fact]
    public void Two_writes_seen_in_opposite_orders_are_not_linearizable()
    {
        Assert.Equal(CheckOutcome.NotLinearizable, Check(
            KvOperation.Put(0, "x", "a", 0, 50),
            KvOperation.Put(1, "x", "b", 0, 50),
            KvOperation.Get(2, "x", "a", 10, 20),
            KvOperation.Get(2, "x", "b", 21, 30),
            KvOperation.Get(3, "x", "b", 10, 20),
            KvOperation.Get(3, "x", "a", 21, 30)));
        Assert.Equal(CheckOutcome.Linearizable, Check(
            KvOperation.Put(0, "x", "a", 0, 50),
            KvOperation.Put(1, "x", "b", 0, 50),
            KvOperation.Get(2, "x", "a", 10, 20),
            KvOperation.Get(2, "x", "b", 21, 30),
            KvOperation.Get(3, "x", "a", 10, 20),
            KvOperation.Get(3, "x", "b", 21, 30)));
    }

    [Fact]
    public void Cas_succeeds_only_from_the_expected_value()
    {
        Assert.Equal(CheckOutcome.Linearizable, Check(
            KvOperation.Cas(0, "x", null, "a", swapped: true, 0, 10),
            KvOperation.Cas(1, "x", null, "b", swapped: false, 5, 15),
            KvOperation.Get(2, "x", "a", 20, 30)));
        // Two cas from the same value cannot both succeed.
        Assert.Equal(CheckOutcome.NotLinearizable, Check(
            KvOperation.Cas(0, "x", null, "a", swapped: true, 0, 10),
            KvOperation.Cas(1, "x", null, "b", swapped: true, 5, 15)));
        // A cas that failed on the expected value is wrong.
        Assert.Equal(CheckOutcome.NotLinearizable, Check(
            KvOperation.Put(0, "x", "a", 0, 10),
            KvOperation.Cas(1, "x", "a", "b", swapped: false, 20, 30)));
    }

    [Fact]
    public void An_operation_that_never_returned_may_take_effect_once_or_not_at_all()
    {
        Assert.Equal(CheckOutcome.Linearizable, Check(KvOperation.Put(0, "x", "1", 0, Never), KvOperation.Get(1, "x", "1", 500, 510)));
        Assert.Equal(CheckOutcome.Linearizable, Check(KvOperation.Put(0, "x", "1", 0, Never), KvOperation.Get(1, "x", null, 500, 510)));
        // Not before its call.
        Assert.Equal(CheckOutcome.NotLinearizable, Check(KvOperation.Get(1, "x", "1", 0, 10), KvOperation.Put(0, "x", "1", 20, Never)));
        // Once: seen, then unseen, is not possible.
        Assert.Equal(CheckOutcome.NotLinearizable, Check(
            KvOperation.Put(0, "x", "1", 0, Never),
            KvOperation.Get(1, "x", "1", 10, 20),
            KvOperation.Get(1, "x", null, 30, 40)));
        // An unanswered cas takes effect only from its expected value.
        Assert.Equal(CheckOutcome.NotLinearizable, Check(
            KvOperation.Put(0, "x", "a", 0, 10),
            new KvOperation(1, KvOperationKind.Cas, "x", "c", "b", 20, Never),
            KvOperation.Get(2, "x", "c", 30, 40)));
        Assert.Equal(CheckOutcome.Linearizable, Check(
            KvOperation.Put(0, "x", "b", 0, 10),
            new KvOperation(1, KvOperationKind.Cas, "x", "c", "b", 20, Never),
            KvOperation.Get(2, "x", "c", 30, 40)));
    }

    [Fact]
    public void Keys_are_checked_separately_and_the_failing_key_is_named()
    {
        var result = LinearizabilityChecker.Check([
            KvOperation.Put(0, "x", "1", 0, 10),
            KvOperation.Get(1, "x", "1", 20, 30),
            KvOperation.Put(0, "y", "2", 0, 10),
            KvOperation.Get(1, "y", null, 20, 30),
        ]);
        Assert.Equal(CheckOutcome.NotLinearizable, result.Outcome);
        Assert.Equal("y", result.Key);
        Assert.Contains("c1 get(y) -> nil [20, 30]", result.Describe(), StringComparison.Ordinal);
    }

    /// <summary>
    /// 2,000 concurrent operations of 8 clients on one key, made linearizable by construction
    /// (each takes effect at a random point inside its interval): the check finishes in seconds;
    /// with one read corrupted it is refused.
    /// </summary>
    [Fact]
    public void A_history_of_2000_concurrent_operations_is_checked_within_seconds()
    {
        var history = ConcurrentHistory(new Random(7), clients: 8, perClient: 250);
        var stopwatch = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(history, TimeSpan.FromSeconds(30));
        output.WriteLine($"{history.Count} operations: {result.Outcome} in {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(CheckOutcome.Linearizable, result.Outcome);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");

        var reads = history.Select((o, i) => (o, i)).Where(p => p.o.Kind == KvOperationKind.Get).ToList();
        var (victim, at) = reads[reads.Count / 2];
        history[at] = victim with { Read = "never-written" };
        stopwatch.Restart();
        result = LinearizabilityChecker.Check(history, TimeSpan.FromSeconds(30));
        output.WriteLine($"corrupted: {result.Outcome} in {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(CheckOutcome.NotLinearizable, result.Outcome);
    }

    private static List<KvOperation> ConcurrentHistory(Random random, int clients, int perClient)
    {
        var planned = new List<(int Client, long Call, long Return, long Point, int Kind)>();
        for (var c = 0; c < clients; c++)
        {
            long now = random.Next(10);
            for (var i = 0; i < perClient; i++)
            {
                var call = now;
                var @return = call + 1 + random.Next(40);
                planned.Add((c, call, @return, call + random.NextInt64(@return - call + 1), random.Next(3)));
                now = @return + 1 + random.Next(5);
            }
        }
        string? value = null;
        var history = new List<KvOperation>();
        var written = 0;
        foreach (var (client, call, @return, _, kind) in planned.OrderBy(p => p.Point))
        {
            switch (kind)
            {
                case 0:
                    history.Add(KvOperation.Get(client, "x", value, call, @return));
                    break;
                case 1:
                    value = $"v{written++}";
                    history.Add(KvOperation.Put(client, "x", value, call, @return));
                    break;
                default:
                    var expected = random.Next(2) == 0 ? value : "v0";
                    var swapped = expected == value;
                    var next = $"v{written++}";
                    if (swapped) value = next;
                    history.Add(KvOperation.Cas(client, "x", expected, next, swapped, call, @return));
                    break;
            }
        }
        return history;
    }
}
