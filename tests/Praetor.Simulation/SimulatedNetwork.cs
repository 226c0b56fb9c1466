using System.Net;
using Praetor.Gossip.Memberlist;

namespace Praetor.Simulation;

/// <summary>The faults of one simulated run; everything random is drawn from <see cref="Seed"/>.</summary>
public sealed record NetworkFaults
{
    /// <summary>The seed of the network's randomness (loss, delay, stalls); each node's core gets its own seed derived from it.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Probability that a UDP packet is lost (0..1). TCP exchanges are never lost, only delayed.</summary>
    public double PacketLossRate { get; init; }

    /// <summary>One-way delay, drawn uniformly per packet.</summary>
    public TimeSpan DelayMin { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>One-way delay upper bound.</summary>
    public TimeSpan DelayMax { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Slow (CPU-starved) nodes stall: they neither tick nor handle messages for a stall, then
    /// catch up at once — timers first, as a starved process finds them expired, then the backlog.
    /// </summary>
    public TimeSpan StallMin { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest stall.</summary>
    public TimeSpan StallMax { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Run time between two stalls of a slow node, drawn uniformly up to this.</summary>
    public TimeSpan RunBetweenStallsMax { get; init; } = TimeSpan.FromSeconds(4);
}

/// <summary>
/// N memberlist cores in one process over a seeded network (DESIGN principle 1): UDP packets
/// are lost or delayed, TCP exchanges delayed, slow nodes stall, crashed nodes vanish. Time is
/// virtual and advances in <see cref="TickInterval"/> steps; events inside a step run at their own
/// time, in (time, sequence) order, so a seed replays the run exactly.
/// </summary>
public sealed class SimulatedNetwork
{
    private readonly GossipOptions _options;
    private readonly NetworkFaults _faults;
    private readonly Random _random;
    private readonly PriorityQueue<Action, (long Ticks, long Seq)> _events = new();
    private readonly Dictionary<IPEndPoint, SimNode> _byAddress = [];
    private long _seq;

    public SimulatedNetwork(GossipOptions options, NetworkFaults faults)
    {
        _options = options;
        _faults = faults;
        _random = new Random(faults.Seed);
    }

    /// <summary>How often each running node's core is ticked.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan Now { get; private set; }

    public List<SimNode> Nodes { get; } = [];

    /// <summary>Called for every event any node reports: (observer, event).</summary>
    public Action<SimNode, MemberEvent>? OnEvent { get; set; }

    /// <summary>Called for every message a node sends over UDP (before loss): (sender, message).</summary>
    public Action<SimNode, object>? OnSend { get; set; }

    public long PacketsSent { get; private set; }
    public long PacketsLost { get; private set; }

    public SimNode AddNode(bool slow = false)
    {
        var i = Nodes.Count;
        var address = new IPEndPoint(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 7946);
        var local = new LocalMember($"node-{i:D4}", address, [], ProtocolVersions.Serf09);
        var core = new MemberlistCore(_options, local, new Random(unchecked(_faults.Seed * 7919 + i)), Now);
        var node = new SimNode(i, core, address) { Slow = slow };
        if (slow) node.NextStallAt = Now + Draw(TimeSpan.Zero, _faults.RunBetweenStallsMax);
        Nodes.Add(node);
        _byAddress[address] = node;
        Flush(node);
        return node;
    }

    /// <summary>Node <paramref name="node"/> joins through <paramref name="seed"/>.</summary>
    public void Join(SimNode node, SimNode seed)
    {
        node.Core.Join([seed.Address]);
        Flush(node);
    }

    /// <summary>Runs until <paramref name="until"/> or until <paramref name="stop"/> holds (checked every <paramref name="checkEvery"/>). True if stopped by the condition.</summary>
    public bool RunUntil(TimeSpan until, Func<bool>? stop = null, TimeSpan? checkEvery = null)
    {
        var check = checkEvery ?? TimeSpan.FromMilliseconds(100);
        var nextCheck = Now;
        while (Now < until)
        {
            var stepEnd = Now + TickInterval;
            while (_events.TryPeek(out _, out var key) && key.Ticks <= stepEnd.Ticks)
            {
                _events.TryDequeue(out var action, out _);
                Now = TimeSpan.FromTicks(Math.Max(Now.Ticks, key.Ticks));
                action!();
            }
            Now = stepEnd;
            foreach (var node in Nodes)
            {
                if (node.Crashed) continue;
                if (node.Slow) AdvanceStall(node);
                if (node.StalledUntil > Now) continue;
                node.Core.Tick(Now);
                Flush(node);
            }
            if (stop is not null && Now >= nextCheck)
            {
                nextCheck = Now + check;
                if (stop()) return true;
            }
        }
        return false;
    }

    private void AdvanceStall(SimNode node)
    {
        if (node.StalledUntil > Now) return;
        if (node.StalledUntil != TimeSpan.Zero)
        {
            // The stall just ended: timers are found expired first, then the backlog is handled.
            node.StalledUntil = TimeSpan.Zero;
            node.Core.Tick(Now);
            Flush(node);
            var backlog = node.Backlog.ToList();
            node.Backlog.Clear();
            foreach (var work in backlog) work();
        }
        if (Now >= node.NextStallAt)
        {
            node.StalledUntil = Now + Draw(_faults.StallMin, _faults.StallMax);
            node.NextStallAt = node.StalledUntil + Draw(TimeSpan.Zero, _faults.RunBetweenStallsMax);
        }
    }

    /// <summary>Runs <paramref name="work"/> on <paramref name="node"/> now, or when its stall ends; never on a crashed node.</summary>
    private void OnNode(SimNode node, Action work)
    {
        if (node.Crashed) return;
        if (node.StalledUntil > Now) node.Backlog.Add(work);
        else work();
    }

    private void At(TimeSpan when, Action action) => _events.Enqueue(action, (when.Ticks, ++_seq));

    private TimeSpan Draw(TimeSpan min, TimeSpan max) => min + TimeSpan.FromTicks((long)(_random.NextDouble() * (max - min).Ticks));

    private TimeSpan Delay() => Draw(_faults.DelayMin, _faults.DelayMax);

    /// <summary>Executes a node's output: the network's half of the host contract.</summary>
    private void Flush(SimNode node)
    {
        var output = node.Core.TakeOutput();
        if (output.IsEmpty) return;
        foreach (var e in output.Events) OnEvent?.Invoke(node, e);
        foreach (var packet in output.Packets)
        {
            PacketsSent++;
            if (OnSend is not null) foreach (var m in packet.Messages) OnSend(node, m);
            if (_random.NextDouble() < _faults.PacketLossRate)
            {
                PacketsLost++;
                continue;
            }
            if (!_byAddress.TryGetValue(packet.To, out var to)) continue;
            At(Now + Delay(), () => OnNode(to, () =>
            {
                foreach (var m in packet.Messages) to.Core.Receive(node.Address, m, Now);
                Flush(to);
            }));
        }
        foreach (var pushPull in output.PushPulls)
        {
            if (!_byAddress.TryGetValue(pushPull.To, out var to)) continue;
            var there = Now + Delay();
            At(there, () =>
            {
                if (to.Crashed)
                {
                    At(Now + Delay(), () => OnNode(node, () => node.Core.FailPushPull()));
                    return;
                }
                OnNode(to, () =>
                {
                    var remote = to.Core.HandlePushPull(pushPull.LocalState, Now);
                    Flush(to);
                    At(Now + Delay(), () => OnNode(node, () =>
                    {
                        node.Core.CompletePushPull(remote, Now);
                        Flush(node);
                    }));
                });
            });
        }
        foreach (var ping in output.FallbackPings)
        {
            if (!_byAddress.TryGetValue(ping.To, out var to)) continue;
            At(Now + Delay(), () =>
            {
                if (to.Crashed) return; // no answer: the probe's deadline decides
                OnNode(to, () =>
                {
                    var ack = to.Core.AnswerPing(ping.Ping);
                    At(Now + Delay(), () => OnNode(node, () =>
                    {
                        node.Core.CompleteFallbackPing(ping.Ping.SeqNo, ack is not null, Now);
                        Flush(node);
                    }));
                });
            });
        }
    }
}

/// <summary>One simulated member.</summary>
public sealed class SimNode(int index, MemberlistCore core, IPEndPoint address)
{
    public int Index { get; } = index;
    public MemberlistCore Core { get; } = core;
    public IPEndPoint Address { get; } = address;
    public string Name => Core.LocalName;
    public bool Crashed { get; set; }
    public bool Slow { get; set; }
    public TimeSpan StalledUntil { get; set; }
    public TimeSpan NextStallAt { get; set; }
    public List<Action> Backlog { get; } = [];
}
