using System.Net;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Runtime;
using Praetor.Gossip.Serf;

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
/// time, in (time, sequence) order, so a seed replays the run exactly. With <see cref="WithSerf"/>,
/// each node also runs a Serf core on its memberlist as the pool does: memberlist's member events
/// go into Serf, Serf's broadcasts ride memberlist's gossip as user messages, and received user
/// messages go to Serf. Push/pull carries memberlist's state only (not Serf's).
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

    /// <summary>Runs a Serf core over each node's memberlist core.</summary>
    public bool WithSerf { get; init; }

    /// <summary>Called for every event a node's Serf core delivers: (observer, event).</summary>
    public Action<SimNode, SerfEvent>? OnSerfEvent { get; set; }

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
        // Serf first, as in the pool: memberlist's constructor reports our own join.
        var serf = WithSerf ? new SerfCore(local.Name, new SerfOptions(), new Random(unchecked(_faults.Seed * 6151 + i)), Now) : null;
        var core = new MemberlistCore(_options, local, new Random(unchecked(_faults.Seed * 7919 + i)), Now);
        var node = new SimNode(i, core, address) { Slow = slow, Serf = serf, SerfBroadcasts = serf is null ? null : new SerfBroadcastQueues(_options.RetransmitMult) };
        if (node.SerfBroadcasts is { } queues) core.UserBroadcasts = (overhead, limit) => queues.GetBroadcasts(overhead, limit, core.NumMembers);
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

    /// <summary>Node <paramref name="node"/>'s Serf core fires a user event (the cluster must run <see cref="WithSerf"/>).</summary>
    public void FireUserEvent(SimNode node, string name, byte[] payload)
    {
        var serf = node.Serf ?? throw new InvalidOperationException("the network runs without Serf");
        if (!serf.TryFireUserEvent(name, payload, coalesce: false, Now, out var error)) throw new InvalidOperationException(error);
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
                Tick(node);
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
            Tick(node);
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

    private void Tick(SimNode node)
    {
        node.Core.Tick(Now);
        node.Serf?.Tick(Now);
        Flush(node);
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

    /// <summary>Executes both cores' outputs until neither has more (one feeds the other), as the pool's Drain.</summary>
    private void Flush(SimNode node)
    {
        while (true)
        {
            var output = node.Core.TakeOutput();
            var serf = node.Serf?.TakeOutput();
            if (output.IsEmpty && (serf is null || serf.IsEmpty)) return;
            Execute(node, output);
            if (serf is null) continue;
            node.SerfBroadcasts!.Enqueue(serf, null);
            foreach (var e in serf.Events) OnSerfEvent?.Invoke(node, e);
        }
    }

    /// <summary>Executes a memberlist core's output: the network's half of the host contract.</summary>
    private void Execute(SimNode node, MemberlistOutput output)
    {
        foreach (var e in output.Events)
        {
            OnEvent?.Invoke(node, e);
            node.Serf?.OnMemberEvent(e, Now);
        }
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
                foreach (var m in packet.Messages)
                {
                    if (m is UserMsg user && to.Serf is not null) to.Serf.OnMessage(user.Payload, Now);
                    else to.Core.Receive(node.Address, m, Now);
                }
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

    /// <summary>The node's Serf core, when the network runs with Serf.</summary>
    public SerfCore? Serf { get; init; }

    /// <summary>Serf's broadcast queues, which fill the room memberlist's gossip packets leave.</summary>
    internal SerfBroadcastQueues? SerfBroadcasts { get; init; }
}
