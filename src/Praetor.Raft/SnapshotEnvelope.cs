using System.Buffers.Binary;
using System.Text;

namespace Praetor.Raft;

/// <summary>
/// The data of a snapshot a <see cref="RaftLog"/> takes: the servers' addresses, then the state
/// machine's bytes. Layout: a version byte (1), the address count (4 bytes, big-endian), each
/// address as server id (8 bytes, big-endian), length (2 bytes, big-endian) and UTF-8
/// <c>host:port</c>; the rest is what <see cref="IStateMachine.CaptureSnapshot"/>'s writer writes. The addresses
/// are those the configuration-change entries the snapshot replaces carried, so a server that
/// restores it (at restart or by InstallSnapshot) still knows where every configured server is.
/// </summary>
internal static class SnapshotEnvelope
{
    private const byte Version = 1;

    /// <summary>Writes the envelope of <paramref name="addresses"/> and the state <paramref name="writeState"/> writes.</summary>
    public static byte[] Write(IEnumerable<KeyValuePair<ulong, string>> addresses, Action<Stream> writeState)
    {
        using var stream = new MemoryStream();
        var list = addresses.ToList();
        Span<byte> header = stackalloc byte[10];
        header[0] = Version;
        BinaryPrimitives.WriteInt32BigEndian(header[1..], list.Count);
        stream.Write(header[..5]);
        foreach (var (id, address) in list)
        {
            var bytes = Encoding.UTF8.GetBytes(address);
            BinaryPrimitives.WriteUInt64BigEndian(header, id);
            BinaryPrimitives.WriteUInt16BigEndian(header[8..], checked((ushort)bytes.Length));
            stream.Write(header);
            stream.Write(bytes);
        }
        writeState(stream);
        return stream.ToArray();
    }

    /// <summary>Reads the addresses of <paramref name="data"/> and the offset where the state machine's bytes start.</summary>
    /// <exception cref="InvalidDataException">The envelope is malformed.</exception>
    public static (Dictionary<ulong, string> Addresses, int StateOffset) Read(byte[] data)
    {
        var span = data.AsSpan();
        if (span.Length < 5 || span[0] != Version) throw new InvalidDataException($"snapshot of {data.Length} bytes does not start with envelope version {Version}");
        var count = BinaryPrimitives.ReadInt32BigEndian(span[1..]);
        if (count < 0) throw new InvalidDataException($"snapshot envelope has a negative address count {count}");
        var offset = 5;
        var addresses = new Dictionary<ulong, string>();
        for (var i = 0; i < count; i++)
        {
            if (span.Length - offset < 10) throw new InvalidDataException($"snapshot envelope ends inside address {i} of {count}");
            var id = BinaryPrimitives.ReadUInt64BigEndian(span[offset..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 8)..]);
            offset += 10;
            if (span.Length - offset < length) throw new InvalidDataException($"snapshot envelope ends inside the address of server {id}");
            addresses[id] = Encoding.UTF8.GetString(span.Slice(offset, length));
            offset += length;
        }
        return (addresses, offset);
    }
}
