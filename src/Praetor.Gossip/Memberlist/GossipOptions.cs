namespace Praetor.Gossip.Memberlist;

/// <summary>
/// The SWIM/Lifeguard parameters of one memberlist pool, with memberlist 0.2.2's presets
/// (<c>DefaultLANConfig</c>, <c>DefaultWANConfig</c>, <c>DefaultLocalConfig</c>). Every default
/// below is the LAN value; <see cref="Wan"/> and <see cref="Local"/> override what memberlist does.
/// Validate once at start-up with <see cref="Validate"/>; the core assumes a valid record.
/// </summary>
public sealed record GossipOptions
{
    /// <summary>Bytes memberlist assumes a compound header costs (compoundHeaderOverhead).</summary>
    public const int CompoundHeaderOverheadBytes = 2;

    /// <summary>Bytes memberlist assumes each part of a compound message costs (compoundOverhead: its length).</summary>
    public const int CompoundPartOverheadBytes = 2;

    /// <summary>10 s: a TCP push/pull or fallback ping gives up after this. WAN 30 s, local 1 s.</summary>
    public TimeSpan TcpTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>3 members: how many are asked to probe a node that missed its direct ack; more lowers false positives, costs packets. Local 1.</summary>
    public int IndirectChecks { get; init; } = 3;

    /// <summary>4: a broadcast is sent RetransmitMult × ceil(log10(N+1)) times, enough to reach N members with high probability. Local 2.</summary>
    public int RetransmitMult { get; init; } = 4;

    /// <summary>4: the minimum suspicion timeout is SuspicionMult × max(1, log10(N)) × ProbeInterval, time for a refutation to spread. WAN 6, local 3.</summary>
    public int SuspicionMult { get; init; } = 4;

    /// <summary>6: Lifeguard's maximum suspicion timeout is this × the minimum (120 s for 10k members); it shrinks toward the minimum as independent confirmations arrive. 1 turns the dynamic timeout off.</summary>
    public int SuspicionMaxTimeoutMult { get; init; } = 6;

    /// <summary>30 s: full-state sync with one random member, scaled up beyond 32 members (log2) to bound TCP load. WAN 60 s, local 15 s. Zero disables.</summary>
    public TimeSpan PushPullInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>500 ms: wait this long for a direct ack before asking others (a LAN round trip with margin). WAN 3 s, local 200 ms.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>1 s: one member is probed per interval (the SWIM protocol period); Lifeguard stretches it by the health score. WAN 5 s.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>false: when a probe fails, also try the target over TCP (protocol ≥ 3), which catches UDP-only trouble.</summary>
    public bool DisableTcpPings { get; init; }

    /// <summary>8: Lifeguard's local health score ranges 0..7, multiplying probe interval and ack deadline by up to 8 (8 s on LAN). 1 turns awareness off.</summary>
    public int AwarenessMaxMultiplier { get; init; } = 8;

    /// <summary>3 members: each gossip tick sends queued broadcasts to this many random members. WAN 4.</summary>
    public int GossipNodes { get; init; } = 3;

    /// <summary>200 ms: gossip ticks spread broadcasts faster than probing alone would. WAN 500 ms, local 100 ms. Zero disables.</summary>
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>30 s: a dead member still gets gossip this long (so it can learn it was declared dead and refute), and is reaped from the member list after it. WAN 60 s, local 15 s.</summary>
    public TimeSpan GossipToTheDeadTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>0 (off): after a member has been dead this long, another address may claim its name. memberlist's default is off in all presets.</summary>
    public TimeSpan DeadNodeReclaimTime { get; init; } = TimeSpan.Zero;

    /// <summary>1400 bytes: the largest UDP packet we build, below a 1500-byte Ethernet MTU with room for IP/UDP headers.</summary>
    public int UdpBufferSizeBytes { get; init; } = 1400;

    /// <summary>Bytes the host's encryption adds to each packet (0 without a keyring; memberlist's encryptOverhead: 29 for version 1), taken off the piggyback budget.</summary>
    public int EncryptionOverheadBytes { get; init; }

    /// <summary>true: Lifeguard's buddy system — a probe of a suspected member carries the suspicion, so the member refutes at once. Praetor's switch (memberlist always does it), for the with/without-Lifeguard simulation.</summary>
    public bool BuddySystem { get; init; } = true;

    /// <summary>memberlist's DefaultLANConfig values.</summary>
    public static GossipOptions Lan() => new();

    /// <summary>memberlist's DefaultWANConfig: longer timeouts and intervals for higher latency.</summary>
    public static GossipOptions Wan() => new()
    {
        TcpTimeout = TimeSpan.FromSeconds(30),
        SuspicionMult = 6,
        PushPullInterval = TimeSpan.FromSeconds(60),
        ProbeTimeout = TimeSpan.FromSeconds(3),
        ProbeInterval = TimeSpan.FromSeconds(5),
        GossipNodes = 4,
        GossipInterval = TimeSpan.FromMilliseconds(500),
        GossipToTheDeadTime = TimeSpan.FromSeconds(60),
    };

    /// <summary>memberlist's DefaultLocalConfig: loopback or one host, tight timeouts.</summary>
    public static GossipOptions Local() => new()
    {
        TcpTimeout = TimeSpan.FromSeconds(1),
        IndirectChecks = 1,
        RetransmitMult = 2,
        SuspicionMult = 3,
        PushPullInterval = TimeSpan.FromSeconds(15),
        ProbeTimeout = TimeSpan.FromMilliseconds(200),
        ProbeInterval = TimeSpan.FromSeconds(1),
        GossipInterval = TimeSpan.FromMilliseconds(100),
        GossipToTheDeadTime = TimeSpan.FromSeconds(15),
    };

    /// <summary>The same parameters with Lifeguard's three parts off (plain SWIM): no health awareness, a fixed suspicion timeout at the minimum, no buddy system.</summary>
    public GossipOptions WithoutLifeguard() => this with { AwarenessMaxMultiplier = 1, SuspicionMaxTimeoutMult = 1, BuddySystem = false };

    /// <summary>Every problem with these options, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (TcpTimeout <= TimeSpan.Zero) problems.Add($"TcpTimeout must be positive, got {TcpTimeout}");
        if (IndirectChecks < 0) problems.Add($"IndirectChecks must be 0 or more, got {IndirectChecks}");
        if (RetransmitMult < 1) problems.Add($"RetransmitMult must be at least 1, got {RetransmitMult}");
        if (SuspicionMult < 1) problems.Add($"SuspicionMult must be at least 1, got {SuspicionMult}");
        if (SuspicionMaxTimeoutMult < 1) problems.Add($"SuspicionMaxTimeoutMult must be at least 1, got {SuspicionMaxTimeoutMult}");
        if (PushPullInterval < TimeSpan.Zero) problems.Add($"PushPullInterval must be 0 (off) or positive, got {PushPullInterval}");
        if (ProbeInterval <= TimeSpan.Zero) problems.Add($"ProbeInterval must be positive, got {ProbeInterval}");
        if (ProbeTimeout <= TimeSpan.Zero) problems.Add($"ProbeTimeout must be positive, got {ProbeTimeout}");
        else if (ProbeTimeout >= ProbeInterval) problems.Add($"ProbeTimeout ({ProbeTimeout}) must be shorter than ProbeInterval ({ProbeInterval}), or indirect probes never run");
        if (AwarenessMaxMultiplier < 1) problems.Add($"AwarenessMaxMultiplier must be at least 1, got {AwarenessMaxMultiplier}");
        if (GossipNodes < 0) problems.Add($"GossipNodes must be 0 or more, got {GossipNodes}");
        if (GossipInterval < TimeSpan.Zero) problems.Add($"GossipInterval must be 0 (off) or positive, got {GossipInterval}");
        if (GossipToTheDeadTime < TimeSpan.Zero) problems.Add($"GossipToTheDeadTime must be 0 or more, got {GossipToTheDeadTime}");
        if (DeadNodeReclaimTime < TimeSpan.Zero) problems.Add($"DeadNodeReclaimTime must be 0 (off) or positive, got {DeadNodeReclaimTime}");
        if (UdpBufferSizeBytes is < 576 or > 65507) problems.Add($"UdpBufferSizeBytes must be 576..65507, got {UdpBufferSizeBytes}");
        if (EncryptionOverheadBytes < 0 || EncryptionOverheadBytes > UdpBufferSizeBytes / 2) problems.Add($"EncryptionOverheadBytes must be 0..UdpBufferSizeBytes/2, got {EncryptionOverheadBytes}");
        return problems;
    }
}
