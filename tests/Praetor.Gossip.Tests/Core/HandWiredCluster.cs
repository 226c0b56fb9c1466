using System.Net;
using Praetor.Gossip.Memberlist;

namespace Praetor.Gossip.Tests.Core;

/// <summary>
/// A few cores wired by hand: packets are delivered at once (or dropped by a rule), push/pulls
/// and TCP pings complete synchronously, and time moves only when the test says so. Every
/// packet and event is kept, so a test can read the run as a transcript.
/// </summary>
internal sealed class HandWiredCluster
{
    private readonly Dictionary<IPEndPoint, MemberlistCore> _byAddress = [];
    private readonly Dictionary<string, MemberlistCore> _byName = new(StringComparer.Ordinal);

    public HandWiredCluster(GossipOptions? options = null, int seed = 1)
    {
        Options = options ?? GossipOptions.Lan();
        Seed = seed;
    }

    public GossipOptions Options { get; }
    public int Seed { get; }
    public TimeSpan Now { get; private set; }

    /// <summary>Packets (from, packet) in the order they were sent, delivered or not.</summary>
    public List<(string From, OutboundPacket Packet, TimeSpan At)> Sent { get; } = [];

    /// <summary>Events per node, in order.</summary>
    public Dictionary<string, List<MemberEvent>> Events { get; } = new(StringComparer.Ordinal);

    /// <summary>TCP fallback pings requested (from, request).</summary>
    public List<(string From, FallbackPingRequest Request)> FallbackPings { get; } = [];

    /// <summary>Direct probes acked (prober, completion), in order.</summary>
    public List<(string From, PingCompleted Ping)> PingsCompleted { get; } = [];

    /// <summary>Nodes whose leave broadcast has finished.</summary>
    public HashSet<string> LeaveFinished { get; } = new(StringComparer.Ordinal);

    /// <summary>Nodes that neither send nor receive (crashed or cut off).</summary>
    public HashSet<string> Down { get; } = new(StringComparer.Ordinal);

    /// <summary>Extra drop rule: (from, to node, message) → drop.</summary>
    public Func<string, string, object, bool>? DropRule { get; set; }

    public MemberlistCore this[string name] => _byName[name];

    public static IPEndPoint AddressOf(int i) => new(IPAddress.Parse($"10.0.0.{i}"), 7946);

    public MemberlistCore Add(string name, int i, ProtocolVersions? vsn = null, GossipOptions? options = null)
    {
        var core = new MemberlistCore(options ?? Options, new LocalMember(name, AddressOf(i), [], vsn ?? ProtocolVersions.Serf09), new Random(Seed * 1000 + i), Now);
        _byAddress[AddressOf(i)] = core;
        _byName[name] = core;
        Events[name] = [];
        Pump();
        return core;
    }

    /// <summary>Every node joins through the first, and the cluster settles.</summary>
    public void JoinAllTo(string seed)
    {
        foreach (var core in _byName.Values)
        {
            if (core.LocalName != seed) core.Join([AddressOfNode(seed)]);
        }
        Pump();
    }

    public IPEndPoint AddressOfNode(string name) => _byAddress.First(kv => kv.Value.LocalName == name).Key;

    /// <summary>Delivers all pending output until no node has anything left to send.</summary>
    public void Pump()
    {
        for (var round = 0; round < 1000; round++)
        {
            var any = false;
            foreach (var core in _byName.Values.ToList())
            {
                var output = core.TakeOutput();
                if (output.IsEmpty) continue;
                any = true;
                Execute(core, output);
            }
            if (!any) return;
        }
        throw new InvalidOperationException("the cluster did not settle");
    }

    /// <summary>Moves time forward in <paramref name="step"/>s, ticking every node and delivering.</summary>
    public void Advance(TimeSpan by, TimeSpan? step = null)
    {
        var s = step ?? TimeSpan.FromMilliseconds(10);
        var end = Now + by;
        while (Now < end)
        {
            Now += s;
            foreach (var core in _byName.Values)
            {
                if (!Down.Contains(core.LocalName)) core.Tick(Now);
            }
            Pump();
        }
    }

    /// <summary>
    /// Moves time forward as a host that sleeps until each core's <see cref="MemberlistCore.NextTickAt"/>
    /// does: every node is ticked exactly at its own deadlines and at no other time. Before each
    /// such tick the node is also ticked a moment early, and <paramref name="earlyOutput"/> gets
    /// what that early tick produced (nothing, if the deadline is a true lower bound).
    /// </summary>
    public void AdvanceByDeadlines(TimeSpan by, Action<string, MemberlistOutput> earlyOutput)
    {
        var end = Now + by;
        while (true)
        {
            var up = _byName.Values.Where(c => !Down.Contains(c.LocalName)).ToList();
            var due = up.Min(c => c.NextTickAt(Now));
            if (due > end) break;
            if (due > Now + TimeSpan.FromTicks(1))
            {
                Now = due - TimeSpan.FromTicks(1);
                foreach (var core in up.Where(c => c.NextTickAt(Now) == due))
                {
                    core.Tick(Now);
                    earlyOutput(core.LocalName, core.TakeOutput());
                }
            }
            Now = due;
            foreach (var core in up.Where(c => c.NextTickAt(Now) <= Now)) core.Tick(Now);
            Pump();
        }
        Now = end;
    }

    public NodeState? StateOf(string observer, string member) => _byName[observer].FindMember(member)?.State;

    public List<MemberEvent> EventsAbout(string observer, string member) => Events[observer].Where(e => e.Member.Name == member).ToList();

    public IEnumerable<object> MessagesSent(string from) => Sent.Where(s => s.From == from).SelectMany(s => s.Packet.Messages);

    private void Execute(MemberlistCore core, MemberlistOutput output)
    {
        var from = core.LocalName;
        Events[from].AddRange(output.Events);
        if (output.LeaveBroadcastFinished) LeaveFinished.Add(from);
        foreach (var ping in output.PingsCompleted) PingsCompleted.Add((from, ping));
        var fromAddress = AddressOfNode(from);
        foreach (var packet in output.Packets)
        {
            Sent.Add((from, packet, Now));
            if (Down.Contains(from) || !_byAddress.TryGetValue(packet.To, out var to) || Down.Contains(to.LocalName)) continue;
            foreach (var message in packet.Messages)
            {
                if (DropRule?.Invoke(from, to.LocalName, message) == true) continue;
                to.Receive(fromAddress, message, Now);
            }
        }
        foreach (var pushPull in output.PushPulls)
        {
            if (Down.Contains(from) || !_byAddress.TryGetValue(pushPull.To, out var to) || Down.Contains(to.LocalName))
            {
                core.FailPushPull();
                continue;
            }
            var remote = to.HandlePushPull(pushPull.LocalState, Now);
            core.CompletePushPull(remote, Now);
        }
        foreach (var ping in output.FallbackPings)
        {
            FallbackPings.Add((from, ping));
            var reachable = !Down.Contains(from) && _byAddress.TryGetValue(ping.To, out var to) && !Down.Contains(to.LocalName) && to.AnswerPing(ping.Ping) is not null;
            core.CompleteFallbackPing(ping.Ping.SeqNo, reachable, Now);
        }
    }
}
