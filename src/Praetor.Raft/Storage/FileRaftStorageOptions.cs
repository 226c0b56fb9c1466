using Praetor.Raft.Core;

namespace Praetor.Raft.Storage;

/// <summary>The parameters of a <see cref="FileRaftStorage"/>.</summary>
public sealed record FileRaftStorageOptions
{
    /// <summary>64 MiB: a segment is closed and the next one started once a record would take it past this size (a larger single entry gets a segment of its own).</summary>
    public long SegmentBytesMax { get; init; } = 64L << 20;

    /// <summary>2: the snapshots kept on disk, newest first (the older ones are a fallback for an operator, never read).</summary>
    public int SnapshotsRetained { get; init; } = 2;

    /// <summary>
    /// Off: planted bugs (test only). With <see cref="RaftFaults.AcknowledgeBeforeFsync"/> the
    /// storage writes but never fsyncs, so a simulated crash that loses unsynced writes can show the bug.
    /// </summary>
    public RaftFaults Faults { get; init; } = RaftFaults.None;

    /// <summary>Every problem with these options, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (SegmentBytesMax < WalSegment.HeaderBytes + WalSegment.FrameBytes + WalSegment.EntryPayloadBytes) problems.Add($"SegmentBytesMax must hold at least one empty entry ({WalSegment.HeaderBytes + WalSegment.FrameBytes + WalSegment.EntryPayloadBytes} bytes), got {SegmentBytesMax}");
        if (SnapshotsRetained < 1) problems.Add($"SnapshotsRetained must be at least 1, got {SnapshotsRetained}");
        return problems;
    }
}
