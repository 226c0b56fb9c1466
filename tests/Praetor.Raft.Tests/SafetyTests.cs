using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>
/// Seeded runs under message loss, delay, duplication, reordering, changing partitions, leadership
/// transfers and restarts, checking Raft's safety properties after every tick: election safety
/// (one leader per term), state machine safety (every server applies a prefix of the same
/// sequence) and lease safety (a lease read sees every commit made anywhere). Each failure
/// names its seed; <c>PRAETOR_RAFT_SEED=n</c> replays it. (The full simulation, with lost
/// unsynced writes, clock jumps, client histories and a linearizability checker, is
/// <c>KvSimulation</c> in tests/Praetor.Simulation.)
/// </summary>
public class SafetyTests
{
    /// <summary>Ticks per run.</summary>
    private const int RunTicks = 600;

    /// <summary>Seeds 1..<c>PRAETOR_RAFT_SEEDS</c> (default 100), or only <c>PRAETOR_RAFT_SEED</c> to replay one.</summary>
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        if (int.TryParse(Environment.GetEnvironmentVariable("PRAETOR_RAFT_SEED"), out var one) && one > 0)
        {
            seeds.Add(one);
            return seeds;
        }
        var count = int.TryParse(Environment.GetEnvironmentVariable("PRAETOR_RAFT_SEEDS"), out var n) && n > 0 ? n : 100;
        for (var seed = 1; seed <= count; seed++) seeds.Add(seed);
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Safety_holds_under_loss_delay_duplication_reordering_partitions_and_restarts(int seed)
    {
        var violation = Run(seed, RaftFaults.None, membershipChanges: false);
        Assert.True(violation is null, violation);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Safety_holds_while_servers_are_added_promoted_and_removed(int seed)
    {
        var violation = Run(seed, RaftFaults.None, membershipChanges: true);
        Assert.True(violation is null, violation);
    }

    /// <summary>The runs are strong enough to find planted bugs (the simulation's own test of this is <c>KvSimulationTests</c>).</summary>
    [Theory]
    [InlineData(nameof(RaftFaults.CountVoteTwice))]
    [InlineData(nameof(RaftFaults.ApplyBeforeCommit))]
    [InlineData(nameof(RaftFaults.ServeReadWithoutLease))]
    public void The_safety_runs_find_a_planted_fault_within_300_seeds(string fault)
    {
        var faults = fault switch
        {
            nameof(RaftFaults.CountVoteTwice) => new RaftFaults { CountVoteTwice = true },
            nameof(RaftFaults.ServeReadWithoutLease) => new RaftFaults { ServeReadWithoutLease = true },
            _ => new RaftFaults { ApplyBeforeCommit = true },
        };
        for (var seed = 1; seed <= 300; seed++)
        {
            try
            {
                if (Run(seed, faults, membershipChanges: false) is not null) return;
            }
            catch (Exception)
            {
                return; // a broken invariant that stops a server is a find too
            }
        }
        Assert.Fail($"{fault} went unnoticed in 300 seeds");
    }

    /// <summary>
    /// One seeded run; the first violation found (naming seed and tick), or null. With
    /// <paramref name="membershipChanges"/>, three voters start and servers 4 and 5 start empty;
    /// leaders propose random single-server changes among the five.
    /// </summary>
    private static string? Run(int seed, RaftFaults faults, bool membershipChanges)
    {
        var random = new Random(seed);
        var size = membershipChanges ? 3 : seed % 2 == 0 ? 3 : 5;
        var cluster = new RaftCluster(size, seed, o => o with { InflightAppendsMax = 4, AppendEntriesBatchEntriesMax = 3, Faults = faults })
        {
            Chaos = new Random(seed + 1_000_000),
            DuplicateRate = 0.2,
            DelayRate = 0.3,
        };
        var dropRate = 0.0;
        cluster.Drop = _ => random.NextDouble() < dropRate;
        if (membershipChanges)
        {
            cluster.AddServer(4, MemoryRaftStorage.Empty());
            cluster.AddServer(5, MemoryRaftStorage.Empty());
            size = 5;
        }
        var leaders = new Dictionary<ulong, ulong>();
        var proposed = 0;

        for (var tick = 0; tick < RunTicks; tick++)
        {
            switch (random.Next(12))
            {
                case 0:
                    cluster.Heal();
                    cluster.Isolate((ulong)random.Next(1, size + 1));
                    break;
                case 1:
                    cluster.Heal();
                    break;
                case 2:
                    dropRate = random.NextDouble() * 0.7;
                    break;
                case 3 when cluster.Leader != 0:
                    cluster[cluster.Leader].TryTransferLeadership((ulong)random.Next(1, size + 1), out _);
                    break;
                case 4:
                    cluster.Restart((ulong)random.Next(1, size + 1));
                    break;
                case 5 when membershipChanges && cluster.Leader != 0:
                    var change = new ConfigChange((ConfigChangeType)random.Next(1, 4), (ulong)random.Next(1, size + 1), []);
                    cluster[cluster.Leader].TryProposeConfigChange(change, out _, out _);
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
                if (leaders.TryGetValue(term, out var other) && other != id) return $"two leaders in term {term}: {other} and {id} (seed {seed}, tick {tick})";
                leaders[term] = id;
            }
            foreach (var id in cluster.Ids)
            {
                // A lease read is served at the leader's commit index: no server may have seen a
                // later commit (a newer leader's), or the read would miss an acknowledged write.
                if (!cluster[id].TryLeaseRead(out var readIndex)) continue;
                var newer = cluster.Ids.FirstOrDefault(other => cluster[other].CommitIndex > readIndex);
                if (newer != 0) return $"server {id} served a lease read at {readIndex} while server {newer} had committed {cluster[newer].CommitIndex} (seed {seed}, tick {tick})";
            }
            var longest = cluster.Ids.Select(id => cluster.ServerOf(id).Applied).MaxBy(a => a.Count)!;
            foreach (var id in cluster.Ids)
            {
                var applied = cluster.ServerOf(id).Applied;
                if (!applied.SequenceEqual(longest.Take(applied.Count))) return $"server {id} applied a different sequence (seed {seed}, tick {tick})";
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
        foreach (var id in cluster.Ids.Where(id => cluster[leader].Configuration.Contains(id)))
        {
            if (!cluster.ServerOf(leader).Applied.SequenceEqual(cluster.ServerOf(id).Applied)) return $"server {id} did not converge (seed {seed})";
        }
        return null;
    }
}
