using System.Buffers.Binary;
using System.Globalization;

namespace Praetor.Raft.Storage;

/// <summary>
/// One segment file of the write-ahead log, named by the index of its first entry (20 digits,
/// so names sort like indexes). It starts with the 8-byte header "PRWAL", 0, 0, 1 (format
/// version 1); then records, each a 9-byte frame — payload length (u32), CRC-32C of the type
/// byte and the payload (u32), type (u8) — and the payload. The one record type today,
/// <see cref="EntryRecord"/>, carries an entry: term (u64), index (u64), entry type (u8),
/// command (the rest). Little-endian throughout. In memory a segment keeps, per entry, only its
/// term and the offset of its record (16 bytes), never the commands.
/// </summary>
internal sealed class WalSegment : IDisposable
{
    /// <summary>The size of the file header.</summary>
    public const int HeaderBytes = 8;

    /// <summary>The size of a record's frame before its payload.</summary>
    public const int FrameBytes = 9;

    /// <summary>The size of an entry record's payload before the command.</summary>
    public const int EntryPayloadBytes = 17;

    /// <summary>The record type of a log entry. Part of the format: never renumber.</summary>
    public const byte EntryRecord = 1;

    private readonly FileStream _stream;
    private readonly List<ulong> _terms = [];
    private readonly List<long> _offsets = [];

    private WalSegment(string path, ulong firstIndex, FileStream stream)
    {
        Path = path;
        FirstIndex = firstIndex;
        _stream = stream;
    }

    /// <summary>The file header.</summary>
    public static ReadOnlySpan<byte> Header => "PRWAL\0\0\u0001"u8;

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The index of the first entry this segment holds (or will hold).</summary>
    public ulong FirstIndex { get; }

    /// <summary>The number of entries.</summary>
    public int Count => _terms.Count;

    /// <summary>The index of the last entry (FirstIndex - 1 when empty).</summary>
    public ulong LastIndex => FirstIndex + (ulong)_terms.Count - 1;

    /// <summary>The end of the last complete record: where the next one is written.</summary>
    public long Length { get; private set; }

    /// <summary>The file name of the segment whose first entry is <paramref name="firstIndex"/>.</summary>
    public static string FileName(ulong firstIndex) => firstIndex.ToString("D20", CultureInfo.InvariantCulture) + ".wal";

    /// <summary>The first index named by a segment file name, or false when it is not one.</summary>
    public static bool TryParseFileName(string fileName, out ulong firstIndex)
    {
        firstIndex = 0;
        return fileName.Length == 24 && fileName.EndsWith(".wal", StringComparison.Ordinal)
            && ulong.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out firstIndex);
    }

    /// <summary>Creates the segment for entries from <paramref name="firstIndex"/> in <paramref name="directory"/>, its header durable (and the directory entry) unless <paramref name="fsync"/> is false.</summary>
    public static WalSegment Create(string directory, ulong firstIndex, bool fsync)
    {
        var path = System.IO.Path.Combine(directory, FileName(firstIndex));
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        stream.Write(Header);
        if (fsync)
        {
            stream.Flush(flushToDisk: true);
            DirectorySync.Flush(directory);
        }
        return new WalSegment(path, firstIndex, stream) { Length = HeaderBytes };
    }

    /// <summary>Opens an existing segment; <see cref="Recover"/> then reads its records.</summary>
    public static WalSegment Open(string path, ulong firstIndex) =>
        new(path, firstIndex, new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0));

    /// <summary>
    /// Reads every record, checking frames, checksums and indexes. In the last segment
    /// (<paramref name="isLast"/>) a damaged tail — a header or record cut short, or a final record
    /// whose checksum fails with nothing but zeros after it — is an unacknowledged write: it is
    /// cut off and reported to <paramref name="warn"/>. Any other damage throws a
    /// <see cref="RaftStorageException"/> naming the file and offset.
    /// </summary>
    public void Recover(bool isLast, bool fsync, Action<string> warn)
    {
        var fileLength = _stream.Length;
        if (fileLength < HeaderBytes)
        {
            if (!isLast) throw new RaftStorageException(Path, $"the {fileLength}-byte file is shorter than the segment header");
            TruncateTorn(0, fileLength, fsync, warn);
            return;
        }
        Span<byte> header = stackalloc byte[HeaderBytes];
        RandomAccess.Read(_stream.SafeFileHandle, header, 0);
        if (!header.SequenceEqual(Header)) throw new RaftStorageException(Path, "not a write-ahead log segment (bad header at offset 0)");

        var offset = (long)HeaderBytes;
        var frame = new byte[FrameBytes];
        var payload = Array.Empty<byte>();
        while (offset < fileLength)
        {
            if (fileLength - offset < FrameBytes) { Torn(offset, "a record frame cut short"); return; }
            RandomAccess.Read(_stream.SafeFileHandle, frame, offset);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(frame);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(4));
            var end = offset + FrameBytes + length;
            if (end > fileLength) { Torn(offset, $"a {length}-byte record running past the end"); return; }
            if (payload.Length < length) payload = new byte[Math.Max(length, 4096)];
            RandomAccess.Read(_stream.SafeFileHandle, payload.AsSpan(0, (int)length), offset + FrameBytes);
            if (Crc32C.Compute(frame.AsSpan(8, 1), payload.AsSpan(0, (int)length)) != crc)
            {
                if (isLast && ZerosFrom(end, fileLength)) { Torn(offset, "a record failing its checksum at the end"); return; }
                throw new RaftStorageException(Path, $"bad checksum of the record at offset {offset}");
            }
            if (frame[8] != EntryRecord) throw new RaftStorageException(Path, $"unknown record type {frame[8]} at offset {offset}");
            if (length < EntryPayloadBytes) throw new RaftStorageException(Path, $"an entry record of {length} bytes at offset {offset} is shorter than its {EntryPayloadBytes}-byte header");
            var index = BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(8));
            if (index != FirstIndex + (ulong)Count) throw new RaftStorageException(Path, $"the record at offset {offset} holds index {index}, expected {FirstIndex + (ulong)Count} (a gap or a misnamed segment)");
            _terms.Add(BinaryPrimitives.ReadUInt64LittleEndian(payload));
            _offsets.Add(offset);
            offset = end;
        }
        Length = offset;

        void Torn(long at, string what)
        {
            if (!isLast) throw new RaftStorageException(Path, $"{what} at offset {at} in a segment that is not the last");
            TruncateTorn(at, fileLength, fsync, warn);
        }
    }

    private void TruncateTorn(long at, long fileLength, bool fsync, Action<string> warn)
    {
        warn($"{Path}: cut off a torn write of {fileLength - at} bytes at offset {at} (never acknowledged)");
        if (at < HeaderBytes)
        {
            _stream.SetLength(0);
            _stream.Write(Header);
            at = HeaderBytes;
        }
        _stream.SetLength(at);
        if (fsync) _stream.Flush(flushToDisk: true);
        Length = at;
    }

    private bool ZerosFrom(long offset, long fileLength)
    {
        var buffer = new byte[4096];
        while (offset < fileLength)
        {
            var read = RandomAccess.Read(_stream.SafeFileHandle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, fileLength - offset)), offset);
            if (read <= 0) return true;
            if (buffer.AsSpan(0, read).ContainsAnyExcept((byte)0)) return false;
            offset += read;
        }
        return true;
    }

    /// <summary>The term of the entry at <paramref name="index"/> (within this segment).</summary>
    public ulong TermAt(ulong index) => _terms[(int)(index - FirstIndex)];

    /// <summary>The command size of the entry at <paramref name="index"/>, from its record's extent.</summary>
    public long CommandBytes(ulong index)
    {
        var i = (int)(index - FirstIndex);
        var end = i + 1 < _offsets.Count ? _offsets[i + 1] : Length;
        return end - _offsets[i] - FrameBytes - EntryPayloadBytes;
    }

    /// <summary>Reads the entry at <paramref name="index"/> from disk, checking its checksum again.</summary>
    public LogEntry Read(ulong index)
    {
        var offset = _offsets[(int)(index - FirstIndex)];
        var record = new byte[FrameBytes + EntryPayloadBytes + CommandBytes(index)];
        var read = RandomAccess.Read(_stream.SafeFileHandle, record, offset);
        if (read != record.Length) throw new RaftStorageException(Path, $"the record at offset {offset} was cut short after start-up");
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(4));
        if (Crc32C.Compute(record.AsSpan(8)) != crc) throw new RaftStorageException(Path, $"bad checksum of the record at offset {offset} (changed after start-up)");
        var payload = record.AsSpan(FrameBytes);
        return new LogEntry(
            BinaryPrimitives.ReadUInt64LittleEndian(payload),
            BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]),
            (LogEntryType)payload[16],
            payload[EntryPayloadBytes..].ToArray());
    }

    /// <summary>The size of <paramref name="entry"/>'s record.</summary>
    public static long RecordBytes(LogEntry entry) => FrameBytes + EntryPayloadBytes + entry.Command.Length;

    /// <summary>Encodes <paramref name="entry"/>'s record into <paramref name="destination"/>.</summary>
    public static void Encode(LogEntry entry, Span<byte> destination)
    {
        var payload = destination[FrameBytes..];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, entry.Term);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[8..], entry.Index);
        payload[16] = (byte)entry.Type;
        entry.Command.CopyTo(payload[EntryPayloadBytes..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)(EntryPayloadBytes + entry.Command.Length));
        destination[8] = EntryRecord;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C.Compute(destination[8..]));
    }

    /// <summary>Writes the encoded records of <paramref name="entries"/> (which continue this segment) at its end, then fsyncs unless <paramref name="fsync"/> is false.</summary>
    public void Write(ReadOnlySpan<byte> records, IReadOnlyList<LogEntry> entries, bool fsync)
    {
        RandomAccess.Write(_stream.SafeFileHandle, records, Length);
        if (fsync) _stream.Flush(flushToDisk: true);
        var offset = Length;
        foreach (var entry in entries)
        {
            _terms.Add(entry.Term);
            _offsets.Add(offset);
            offset += RecordBytes(entry);
        }
        Length = offset;
    }

    /// <summary>Drops the entries from <paramref name="index"/> on (cutting the file there), durably unless <paramref name="fsync"/> is false.</summary>
    public void TruncateFrom(ulong index, bool fsync)
    {
        var i = (int)(index - FirstIndex);
        if (i >= _offsets.Count) return;
        Length = _offsets[i];
        _terms.RemoveRange(i, _terms.Count - i);
        _offsets.RemoveRange(i, _offsets.Count - i);
        _stream.SetLength(Length);
        if (fsync) _stream.Flush(flushToDisk: true);
    }

    /// <summary>Closes the file and deletes it (the caller fsyncs the directory).</summary>
    public void Delete()
    {
        _stream.Dispose();
        File.Delete(Path);
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
