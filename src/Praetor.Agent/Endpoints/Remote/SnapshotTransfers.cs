using System.Globalization;
using Praetor.State;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>
/// A server's snapshot archives in transit to or from client agents, in chunks of at most
/// <paramref name="chunkBytes"/> so that no RPC frame carries a whole archive: a saved archive
/// waits here until its last chunk is read, an archive to restore until its last chunk arrives.
/// Each transfer has a random id; one idle for <see cref="IdleTimeout"/> is dropped, and at most
/// <see cref="TransfersMax"/> are held at once (each up to <see cref="SnapshotArchive.ArchiveMaxBytes"/>).
/// </summary>
internal sealed class SnapshotTransfers(int chunkBytes, TimeProvider time)
{
    /// <summary>How long a transfer waits for its next chunk before it is dropped.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The most transfers held at once.</summary>
    public const int TransfersMax = 4;

    private readonly Dictionary<ulong, Transfer> _transfers = [];
    private readonly Lock _lock = new();

    /// <summary>A saved <paramref name="archive"/>: its length, its first chunk, and the transfer holding the rest (0 when the chunk is all of it).</summary>
    public (int Length, ulong Transfer, ReadOnlyMemory<byte> Chunk) Offer(byte[] archive)
    {
        if (archive.Length <= chunkBytes)
        {
            return (archive.Length, 0, archive);
        }
        var id = Add(new Transfer(archive, archive.Length, saved: true));
        return (archive.Length, id, archive.AsMemory(0, chunkBytes));
    }

    /// <summary>The chunk at <paramref name="offset"/> of a saved archive; after the last one the transfer is gone.</summary>
    public ReadOnlyMemory<byte> Read(ulong id, int offset)
    {
        lock (_lock)
        {
            var transfer = Find(id, saved: true);
            if (offset <= 0 || offset >= transfer.Length)
            {
                throw new EndpointException(EndpointErrorKind.Failed, $"snapshot transfer {Name(id)}: offset {offset} is outside the archive's {transfer.Length} bytes");
            }
            var count = Math.Min(chunkBytes, transfer.Length - offset);
            if (offset + count == transfer.Length)
            {
                _transfers.Remove(id);
            }
            else
            {
                transfer.LastUsed = time.GetTimestamp();
            }
            return transfer.Archive.AsMemory(offset, count);
        }
    }

    /// <summary>
    /// Takes the chunk at <paramref name="offset"/> of an archive of <paramref name="length"/> bytes
    /// to restore (<paramref name="id"/> 0: its first chunk, a new transfer). Returns the transfer to
    /// send the next chunk under, or 0 and the whole archive once it is complete. Chunks come in
    /// order; any other is refused and leaves the transfer as it was.
    /// </summary>
    public (ulong Transfer, byte[]? Archive) Receive(ulong id, int length, int offset, ReadOnlyMemory<byte> chunk)
    {
        if (length > SnapshotArchive.ArchiveMaxBytes)
        {
            throw EndpointException.BadRequest($"snapshot archive is larger than {SnapshotArchive.ArchiveMaxBytes} bytes");
        }
        lock (_lock)
        {
            if (id == 0)
            {
                if (offset != 0 || chunk.Length > length || (chunk.Length == 0 && length > 0))
                {
                    throw new EndpointException(EndpointErrorKind.Failed, $"snapshot transfer: a first chunk of {chunk.Length} bytes at offset {offset} does not start an archive of {length} bytes");
                }
                if (chunk.Length == length)
                {
                    return (0, chunk.ToArray());
                }
                var archive = new byte[length];
                chunk.CopyTo(archive);
                return (Add(new Transfer(archive, chunk.Length, saved: false)), null);
            }
            var transfer = Find(id, saved: false);
            if (length != transfer.Archive.Length || offset != transfer.Length || chunk.Length == 0 || chunk.Length > length - offset)
            {
                throw new EndpointException(EndpointErrorKind.Failed,
                    $"snapshot transfer {Name(id)}: expected a chunk at offset {transfer.Length} of {transfer.Archive.Length} bytes, got {chunk.Length} bytes at offset {offset} of {length}");
            }
            chunk.CopyTo(transfer.Archive.AsMemory(offset));
            transfer.Length += chunk.Length;
            if (transfer.Length < length)
            {
                transfer.LastUsed = time.GetTimestamp();
                return (id, null);
            }
            _transfers.Remove(id);
            return (0, transfer.Archive);
        }
    }

    private ulong Add(Transfer transfer)
    {
        lock (_lock)
        {
            foreach (var (id, idle) in _transfers)
            {
                if (time.GetElapsedTime(idle.LastUsed) > IdleTimeout)
                {
                    _transfers.Remove(id);
                }
            }
            if (_transfers.Count >= TransfersMax)
            {
                throw new EndpointException(EndpointErrorKind.Failed, $"too many snapshot transfers in progress ({TransfersMax}); try again later");
            }
            ulong next;
            do
            {
                next = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
            }
            while (!_transfers.TryAdd(next, transfer));
            transfer.LastUsed = time.GetTimestamp();
            return next;
        }
    }

    /// <summary>The live transfer <paramref name="id"/> in the direction asked (<paramref name="saved"/>: to a client).</summary>
    private Transfer Find(ulong id, bool saved) =>
        _transfers.TryGetValue(id, out var transfer) && transfer.Saved == saved && time.GetElapsedTime(transfer.LastUsed) <= IdleTimeout
            ? transfer
            : throw new EndpointException(EndpointErrorKind.Failed,
                $"unknown snapshot transfer {Name(id)}: it ended, was idle for over {IdleTimeout.TotalSeconds:0} s, or was begun on another server");

    private static string Name(ulong id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>An archive in transit: to a client (<paramref name="saved"/>), <see cref="Length"/> is the archive's; from one, the bytes received so far.</summary>
    private sealed class Transfer(byte[] archive, int length, bool saved)
    {
        public byte[] Archive { get; } = archive;

        public bool Saved { get; } = saved;

        public int Length { get; set; } = length;

        public long LastUsed { get; set; }
    }
}
