using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Serf;
using Xunit.Abstractions;

namespace Praetor.Simulation;

/// <summary>
/// Whole-cluster figures on a seeded lossy network: how many rounds a join, a failure and a user
/// event take to reach every member, and how often Lifeguard's absence turns slow nodes into false failures.
/// A "round" is one protocol period (ProbeInterval, 1 s on LAN); gossip rounds are GossipInterval (200 ms).
/// </summary>
public class ConvergenceTests(ITestOutputHelper output)
{
    private static readonly GossipOptions Lan = GossipOptions.Lan();

    private static SimulatedNetwork Bootstrap(int n, NetworkFaults faults, GossipOptions options, Func<int, bool>? slow = null, bool withSerf = false)
    {
        var net = new SimulatedNetwork(options, faults) { WithSerf = withSerf };
        for (var i = 0; i < n; i++) net.AddNode(slow?.Invoke(i) ?? false);
        for (var i = 1; i < n; i++) net.Join(net.Nodes[i], net.Nodes[0]);
        var converged = net.RunUntil(TimeSpan.FromSeconds(60), () => AllSeeAlive(net, net.Nodes));
        Assert.True(converged, $"bootstrap of {n} nodes did not converge in 60 s (seed {faults.Seed})");
        return net;
    }

    private static bool AllSeeAlive(SimulatedNetwork net, IReadOnlyList<SimNode> members)
    {
        foreach (var observer in net.Nodes)
        {
            if (observer.Crashed) continue;
            foreach (var m in members)
            {
                if (observer.Core.StateOf(m.Name) != NodeState.Alive) return false;
            }
        }
        return true;
    }

    [Fact]
    public void A_join_reaches_every_member_within_a_few_gossip_rounds()
    {
        var n = SimulationKnobs.Nodes;
        var seed = SimulationKnobs.Seed;
        var net = Bootstrap(n, new NetworkFaults { Seed = seed, PacketLossRate = 0.01 }, Lan);
        var bootstrapped = net.Now;
        net.RunUntil(net.Now + TimeSpan.FromSeconds(2));

        var newcomer = net.AddNode();
        var start = net.Now;
        net.Join(newcomer, net.Nodes[n / 2]);
        var converged = net.RunUntil(start + TimeSpan.FromSeconds(30), () => AllSeeAlive(net, [newcomer]), TimeSpan.FromMilliseconds(20));
        var took = net.Now - start;
        output.WriteLine($"join: {n + 1} nodes, 1% loss, seed {seed}: cluster bootstrap {bootstrapped.TotalSeconds:F1} s; newcomer seen alive by all after {took.TotalSeconds:F2} s = {took / Lan.GossipInterval:F1} gossip rounds = {took / Lan.ProbeInterval:F2} protocol periods");
        Assert.True(converged, $"join did not reach all {n + 1} members in 30 s (seed {seed})");
        Assert.True(took < TimeSpan.FromSeconds(5), $"join took {took} (seed {seed})");
    }

    [Fact]
    public void A_failure_is_detected_by_every_member()
    {
        var n = SimulationKnobs.Nodes;
        var seed = SimulationKnobs.Seed;
        var net = Bootstrap(n, new NetworkFaults { Seed = seed, PacketLossRate = 0.01 }, Lan);
        net.RunUntil(net.Now + TimeSpan.FromSeconds(2));

        var victim = net.Nodes[n / 3];
        victim.Crashed = true;
        var start = net.Now;
        TimeSpan? firstSuspected = null;
        var converged = net.RunUntil(start + TimeSpan.FromSeconds(120), () =>
        {
            var allDead = true;
            foreach (var o in net.Nodes)
            {
                if (o.Crashed) continue;
                var s = o.Core.StateOf(victim.Name);
                if (s == NodeState.Suspect && firstSuspected is null) firstSuspected = net.Now - start;
                if (s is not (NodeState.Dead or null)) allDead = false;
            }
            return allDead;
        }, TimeSpan.FromMilliseconds(50));
        var took = net.Now - start;
        var min = SuspicionTimer.MinTimeout(Lan.SuspicionMult, n, Lan.ProbeInterval);
        output.WriteLine($"failure: {n} nodes, 1% loss, seed {seed}: first suspicion after {firstSuspected?.TotalSeconds:F1} s; dead at every member after {took.TotalSeconds:F1} s = {took / Lan.ProbeInterval:F1} protocol periods (suspicion timeout min {min.TotalSeconds:F1} s, max {(min * Lan.SuspicionMaxTimeoutMult).TotalSeconds:F1} s)");
        Assert.True(converged, $"the failure was not seen by all within 120 s (seed {seed})");
        Assert.True(took < min * Lan.SuspicionMaxTimeoutMult + TimeSpan.FromSeconds(10), $"detection took {took} (seed {seed})");
    }

    [Fact]
    public void A_user_event_reaches_every_member_within_a_few_gossip_rounds()
    {
        var n = SimulationKnobs.Nodes;
        var seed = SimulationKnobs.Seed;
        var net = Bootstrap(n, new NetworkFaults { Seed = seed, PacketLossRate = 0.01 }, Lan, withSerf: true);
        net.RunUntil(net.Now + TimeSpan.FromSeconds(2));

        var delivered = new HashSet<int>();
        var deliveries = 0;
        net.OnSerfEvent = (node, e) =>
        {
            if (e is not SerfUserEvent { Name: "deploy" }) return;
            deliveries++;
            delivered.Add(node.Index);
        };
        var start = net.Now;
        TimeSpan? half = null;
        net.FireUserEvent(net.Nodes[n / 4], "deploy", [1]);
        var converged = net.RunUntil(start + TimeSpan.FromSeconds(30), () =>
        {
            if (half is null && delivered.Count * 2 >= n) half = net.Now - start;
            return delivered.Count == n;
        }, TimeSpan.FromMilliseconds(20));
        var took = net.Now - start;
        output.WriteLine($"user event: {n} nodes (Serf over memberlist), 1% loss, seed {seed}: delivered at half the members after {half?.TotalSeconds:F2} s, at every member after {took.TotalSeconds:F2} s = {took / Lan.GossipInterval:F1} gossip rounds = {took / Lan.ProbeInterval:F2} protocol periods; {deliveries} deliveries for {n} members");
        Assert.True(converged, $"the user event reached {delivered.Count} of {n} members in 30 s (seed {seed})");
        Assert.Equal(n, deliveries);
        Assert.True(took < TimeSpan.FromSeconds(5), $"the user event took {took} (seed {seed})");
    }

    [Fact]
    public void Lifeguard_cuts_false_positives_caused_by_slow_nodes()
    {
        var n = Math.Min(SimulationKnobs.Nodes, 100);
        var seed = SimulationKnobs.Seed;
        var run = TimeSpan.FromSeconds(120);
        var with = FalsePositives(n, seed, Lan, run);
        var without = FalsePositives(n, seed, Lan.WithoutLifeguard(), run);
        output.WriteLine($"false positives: {n} nodes, 10% slow (stalls 1-10 s, runs 0-2 s between), 1% loss, {run.TotalSeconds:F0} s, seed {seed}");
        output.WriteLine($"  with Lifeguard:    {with}");
        output.WriteLine($"  without Lifeguard: {without}");
        Assert.True(with.DeclarationsAboutHealthy <= without.DeclarationsAboutHealthy,
            $"Lifeguard made {with.DeclarationsAboutHealthy} false declarations about healthy nodes, plain SWIM {without.DeclarationsAboutHealthy} (seed {seed})");
        Assert.True(with.Declarations < without.Declarations || without.Declarations == 0,
            $"Lifeguard {with.Declarations} false declarations, plain SWIM {without.Declarations} (seed {seed})");
    }

    private static FalsePositiveCount FalsePositives(int n, int seed, GossipOptions options, TimeSpan run)
    {
        // Heavily starved: stalls of 1-10 s, longer than the 8 s minimum suspicion timeout, with
        // at most 2 s of running between them (the Lifeguard paper's slow-message-processing case).
        var faults = new NetworkFaults
        {
            Seed = seed,
            PacketLossRate = 0.01,
            StallMin = TimeSpan.FromSeconds(1),
            StallMax = TimeSpan.FromSeconds(10),
            RunBetweenStallsMax = TimeSpan.FromSeconds(2),
        };
        var net = new SimulatedNetwork(options, faults);
        for (var i = 0; i < n; i++) net.AddNode(slow: false);
        for (var i = 1; i < n; i++) net.Join(net.Nodes[i], net.Nodes[0]);
        Assert.True(net.RunUntil(TimeSpan.FromSeconds(60), () => AllSeeAlive(net, net.Nodes)), $"bootstrap failed (seed {seed})");
        // Then a tenth of the nodes start stalling (none crash: every death is a false one).
        for (var i = 0; i < n; i += 10) net.Nodes[i].Slow = true;
        var declarations = new HashSet<(string Accuser, string Node, uint Incarnation)>();
        var slowNames = net.Nodes.Where(x => x.Slow).Select(x => x.Name).ToHashSet();
        net.OnSend = (sender, m) =>
        {
            // A dead message whose From is its sender is that node's own declaration.
            if (m is Dead d && d.From == sender.Name && d.Node != d.From) declarations.Add((d.From, d.Node, d.Incarnation));
        };
        var failedEvents = 0;
        net.OnEvent = (_, e) => { if (e.Kind == MemberEventKind.Failed) failedEvents++; };
        net.RunUntil(net.Now + run);
        return new FalsePositiveCount(
            declarations.Count,
            declarations.Count(x => !slowNames.Contains(x.Node)),
            declarations.Count(x => slowNames.Contains(x.Accuser)),
            failedEvents,
            net.Nodes.Sum(x => x.Core.Refutations),
            net.Nodes.Where(x => x.Slow).Select(x => x.Core.HealthScore).DefaultIfEmpty().Max());
    }

    private sealed record FalsePositiveCount(int Declarations, int DeclarationsAboutHealthy, int DeclarationsBySlowNodes, int FailedEventsSeen, long Refutations, int MaxSlowHealthScore)
    {
        public override string ToString() =>
            $"{Declarations} false dead declarations ({DeclarationsAboutHealthy} about healthy nodes, {DeclarationsBySlowNodes} made by slow nodes), {FailedEventsSeen} failed events seen cluster-wide, {Refutations} refutations, slow nodes' highest health score at the end {MaxSlowHealthScore}";
    }
}
