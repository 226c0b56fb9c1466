using System.Buffers;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Praetor.State;

/// <summary>
/// What an archive's <c>meta.json</c> says (the fields of hashicorp/raft's SnapshotMeta that
/// `consul snapshot inspect` shows).
/// </summary>
/// <param name="Id">Consul's form, <c>&lt;term&gt;-&lt;index&gt;-&lt;unix ms&gt;</c>: only tells snapshots apart.</param>
/// <param name="Size">The length of <c>state.bin</c> in bytes.</param>
/// <param name="Index">The state's index (<see cref="StateSnapshot.Index"/>).</param>
/// <param name="Term">The Raft term of the saving server, 0 when it was not known.</param>
/// <param name="Version">The archive format's version, <see cref="SnapshotArchive.FormatVersion"/>.</param>
public sealed record SnapshotArchiveMeta(string Id, long Size, ulong Index, ulong Term, int Version);

/// <summary>
/// The file of `praetor snapshot save` and <c>/v1/snapshot</c>, shaped as Consul's: a gzip'd tar of
/// <c>meta.json</c> (<see cref="SnapshotArchiveMeta"/>), <c>state.bin</c> (the
/// <see cref="SnapshotCodec"/> document) and <c>SHA256SUMS</c> (sha256sum's lines for the other
/// two). <see cref="Read"/> checks everything — gzip, tar, the three members and nothing else, the
/// sums, the meta against the document, the document itself — and refuses anything wrong with an
/// <see cref="InvalidDataException"/> saying what. A restore is one log entry holding the whole
/// document, so the document is limited to <see cref="StateMaxBytes"/>.
/// </summary>
public static class SnapshotArchive
{
    /// <summary>The format version written in <c>meta.json</c> (as hashicorp/raft's snapshot version 1).</summary>
    public const int FormatVersion = 1;

    /// <summary>64 MiB: the largest <c>state.bin</c> read (a WAL segment's size; a restore is one log entry carrying it).</summary>
    public const int StateMaxBytes = 64 * 1024 * 1024;

    /// <summary>The largest archive read: <see cref="StateMaxBytes"/> and room for gzip's and tar's overhead.</summary>
    public const int ArchiveMaxBytes = StateMaxBytes + 1024 * 1024;

    private const string MetaFile = "meta.json";
    private const string StateFile = "state.bin";
    private const string SumsFile = "SHA256SUMS";

    /// <summary>The largest <c>meta.json</c> or <c>SHA256SUMS</c> read.</summary>
    private const int SmallFileMaxBytes = 64 * 1024;

    /// <summary>The most tar bytes decompressed: the three members and their headers.</summary>
    private const int TarMaxBytes = StateMaxBytes + 4 * SmallFileMaxBytes;

    /// <summary>Writes <paramref name="state"/> as an archive to <paramref name="destination"/> and returns its meta.</summary>
    /// <param name="term">The Raft term to record; 0 when not known.</param>
    /// <param name="now">When it was taken, for the ID and the tar members' times.</param>
    public static SnapshotArchiveMeta Write(StateSnapshot state, ulong term, DateTimeOffset now, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(state);
        var document = new ArrayBufferWriter<byte>(64 * 1024);
        SnapshotCodec.Write(state, document);
        var meta = new SnapshotArchiveMeta(
            string.Create(CultureInfo.InvariantCulture, $"{term}-{state.Index}-{now.ToUnixTimeMilliseconds()}"),
            document.WrittenCount, state.Index, term, FormatVersion);
        var metaJson = MetaJson(meta);
        var sums = Encoding.ASCII.GetBytes(
            $"{Convert.ToHexStringLower(SHA256.HashData(metaJson))}  {MetaFile}\n{Convert.ToHexStringLower(SHA256.HashData(document.WrittenSpan))}  {StateFile}\n");
        using (var gzip = new GZipStream(destination, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            AddFile(tar, MetaFile, metaJson, now);
            AddFile(tar, StateFile, document.WrittenMemory, now);
            AddFile(tar, SumsFile, sums, now);
        }
        return meta;
    }

    /// <summary>Reads (at most <see cref="ArchiveMaxBytes"/> of) <paramref name="source"/> and verifies it as <see cref="Read(byte[])"/> does.</summary>
    public static (SnapshotArchiveMeta Meta, StateSnapshot State) Read(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var archive = ReadBounded(chunk => source.Read(chunk), ArchiveMaxBytes, TooLarge);
        return Read(archive.ToArray());
    }

    /// <summary>Reads and verifies an archive; anything wrong raises <see cref="InvalidDataException"/>.</summary>
    public static (SnapshotArchiveMeta Meta, StateSnapshot State) Read(byte[] archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (archive.Length > ArchiveMaxBytes)
        {
            throw TooLarge();
        }
        if (archive.Length < 2 || archive[0] != 0x1f || archive[1] != 0x8b)
        {
            throw new InvalidDataException("not a snapshot archive: not gzip-compressed");
        }
        var files = ReadFiles(archive);
        foreach (var name in (ReadOnlySpan<string>)[MetaFile, StateFile, SumsFile])
        {
            if (!files.ContainsKey(name))
            {
                throw new InvalidDataException($"snapshot archive has no {name}");
            }
        }
        VerifySums(files);
        var meta = ParseMeta(files[MetaFile]);
        var document = files[StateFile];
        if (meta.Size != document.Length)
        {
            throw new InvalidDataException($"snapshot meta gives size {meta.Size} but state.bin holds {document.Length} bytes");
        }
        StateSnapshot state;
        try
        {
            state = SnapshotCodec.Read(document);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"bad state.bin: {ex.Message}", ex);
        }
        if (meta.Index != state.Index)
        {
            throw new InvalidDataException($"snapshot meta gives index {meta.Index} but state.bin is at index {state.Index}");
        }
        return (meta, state);
    }

    private static InvalidDataException TooLarge() => new($"snapshot archive is larger than {ArchiveMaxBytes} bytes");

    private static void AddFile(TarWriter tar, string name, ReadOnlyMemory<byte> contents, DateTimeOffset now)
    {
        using var data = new MemoryStream(contents.ToArray(), writable: false);
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            ModificationTime = now,
            DataStream = data,
        });
    }

    /// <summary>Go's json.Encoder output of the meta: one object and a newline.</summary>
    private static byte[] MetaJson(SnapshotArchiveMeta meta)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("Version", meta.Version);
            writer.WriteString("ID", meta.Id);
            writer.WriteNumber("Index", meta.Index);
            writer.WriteNumber("Term", meta.Term);
            writer.WriteNumber("Size", meta.Size);
            writer.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decompresses (bounded) and reads the tar: only the three members, each once, each a regular file within its limit.</summary>
    private static Dictionary<string, byte[]> ReadFiles(byte[] archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var tar = new TarReader(Decompress(archive));
        while (Malformed(() => tar.GetNextEntry()) is { } entry)
        {
            var name = entry.Name;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || name is not (MetaFile or StateFile or SumsFile))
            {
                throw new InvalidDataException($"unexpected file \"{name}\" in snapshot archive");
            }
            var limit = name == StateFile ? StateMaxBytes : SmallFileMaxBytes;
            if (entry.Length > limit)
            {
                throw new InvalidDataException($"{name} in snapshot archive is larger than {limit} bytes");
            }
            var contents = new byte[entry.Length];
            if (entry.DataStream is { } data)
            {
                Malformed(() => data.ReadAtLeast(contents, contents.Length));
            }
            if (!files.TryAdd(name, contents))
            {
                throw new InvalidDataException($"{name} appears twice in snapshot archive");
            }
        }
        return files;
    }

    /// <summary>The tar inside the gzip, at most <see cref="TarMaxBytes"/> of it.</summary>
    private static MemoryStream Decompress(byte[] archive)
    {
        using var gzip = new GZipStream(new MemoryStream(archive, writable: false), CompressionMode.Decompress);
        var tar = ReadBounded(chunk => Malformed(() => gzip.Read(chunk)), TarMaxBytes,
            static () => new InvalidDataException($"snapshot archive holds more than {TarMaxBytes} bytes"));
        tar.Position = 0;
        return tar;
    }

    /// <summary>Everything <paramref name="read"/> gives until it gives nothing, refused with <paramref name="tooLarge"/> past <paramref name="max"/> bytes.</summary>
    private static MemoryStream ReadBounded(Func<byte[], int> read, int max, Func<InvalidDataException> tooLarge)
    {
        var copy = new MemoryStream();
        var chunk = new byte[81920];
        int count;
        while ((count = read(chunk)) > 0)
        {
            if (copy.Length + count > max)
            {
                throw tooLarge();
            }
            copy.Write(chunk, 0, count);
        }
        return copy;
    }

    /// <summary>
    /// Runs one gzip or tar read: whatever it throws on malformed input (bad data, end of stream, a
    /// field out of range) means the same, not a readable archive.
    /// </summary>
    private static T Malformed<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidDataException($"not a snapshot archive: {ex.Message}", ex);
        }
    }

    /// <summary>Checks <c>SHA256SUMS</c>: a line <c>&lt;hex&gt;  &lt;name&gt;</c> for exactly meta.json and state.bin, each matching.</summary>
    private static void VerifySums(Dictionary<string, byte[]> files)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Encoding.ASCII.GetString(files[SumsFile]).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = line.IndexOf("  ", StringComparison.Ordinal);
            var name = separator < 0 ? "" : line[(separator + 2)..];
            if (separator != 64 || name is not (MetaFile or StateFile) || !listed.Add(name))
            {
                throw new InvalidDataException($"failed checking integrity of snapshot: bad SHA256SUMS line \"{line}\"");
            }
            if (!string.Equals(line[..separator], Convert.ToHexStringLower(SHA256.HashData(files[name])), StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"failed checking integrity of snapshot: hash check failed for \"{name}\"");
            }
        }
        foreach (var name in (ReadOnlySpan<string>)[MetaFile, StateFile])
        {
            if (!listed.Contains(name))
            {
                throw new InvalidDataException($"failed checking integrity of snapshot: no hash for \"{name}\"");
            }
        }
    }

    private static SnapshotArchiveMeta ParseMeta(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var version = root.GetProperty("Version").GetInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"unsupported snapshot version {version}");
            }
            return new SnapshotArchiveMeta(
                root.GetProperty("ID").GetString() ?? throw new InvalidDataException("bad meta.json: ID is null"),
                root.GetProperty("Size").GetInt64(),
                root.GetProperty("Index").GetUInt64(),
                root.GetProperty("Term").GetUInt64(),
                version);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"bad meta.json: {ex.Message}", ex);
        }
    }
}
