using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>
/// Seeded runs under message loss, delay, duplication, reordering and changing partitions, checking
/// Raft's safety properties after every tick: election safety (one leader per term) and state
/// machine safety (every server applies a prefix of the same sequence). Each failure names its
/// seed; the run replays from it. (The full simulation with crashes and a linearizability
/// checker is issue 6's next step.)
/// </summary>
public class SafetyTests
{
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++) seeds.Add(seed);
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Safety_holds_under_loss_delay_duplication_reordering_and_partitions(int seed)
    {
        var random = new Random(seed);
        var size = seed % 2 == 0 ? 3 : 5;
        var cluster = new RaftCluster(size, seed, o => o with { InflightAppendsMax = 4, AppendEntriesBatchEntriesMax = 3 })
        {
            Chaos = new Random(seed + 1_000_000),
            DuplicateRate = 0.05,
            DelayRate = 0.05,
        };
        var dropRate = 0.0;
        cluster.Drop = _ => random.NextDouble() < dropRate;
        var leaders = new Dictionary<ulong, ulong>();
        var proposed = 0;

        for (var tick = 0; tick < 400; tick++)
        {
            switch (random.Next(40))
            {
                case 0:
                    cluster.Heal();
                    cluster.Isolate((ulong)random.Next(1, size + 1));
                    break;
                case 1:
                    cluster.Heal();
                    break;
                case 2:
                    dropRate = random.NextDouble() * 0.3;
                    break;
                case 3 when cluster.Leader != 0:
                    cluster[cluster.Leader].TryTransferLeadership((ulong)random.Next(1, size + 1), out _);
                    break;
            }
            foreach (var id in cluster.Ids)
            {
                if (cluster[id].Role == RaftRole.Leader && random.Next(3) == 0 && cluster[id].TryPropose([(byte)proposed], out _))
                {
                    proposed++;
                }
            }
            cluster.Tick();

            foreach (var id in cluster.Ids.Where(id => cluster[id].Role == RaftRole.Leader))
            {
                var term = cluster[id].Term;
                Assert.True(!leaders.TryGetValue(term, out var other) || other == id, $"two leaders in term {term}: {other} and {id} (seed {seed}, tick {tick})");
                leaders[term] = id;
            }
            var longest = cluster.Ids.Select(id => cluster.ServerOf(id).Applied).MaxBy(a => a.Count)!;
            foreach (var id in cluster.Ids)
            {
                var applied = cluster.ServerOf(id).Applied;
                Assert.True(applied.SequenceEqual(longest.Take(applied.Count)), $"server {id} applied a different sequence (seed {seed}, tick {tick})");
            }
        }

        // Healed and quiet, the cluster converges on one leader and one log.
        cluster.Heal();
        dropRate = 0;
        cluster.Chaos = null;
        cluster.Tick(cluster.DelayTicksMax); // let delayed messages land
        cluster.TickUntil(() => cluster.Leader != 0 && cluster[cluster.Leader].LeadershipTransferee == 0 && cluster[cluster.Leader].CommitIndex == cluster[cluster.Leader].LastIndex);
        var leader = cluster.Leader;
        cluster.Propose(leader, "final");
        cluster.Tick(3);
        foreach (var id in cluster.Ids) Assert.Equal(cluster.ServerOf(leader).Applied, cluster.ServerOf(id).Applied);
    }
}
