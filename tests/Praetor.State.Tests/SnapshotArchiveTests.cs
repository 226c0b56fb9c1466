using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Praetor.State.Kv;

namespace Praetor.State.Tests;

public class SnapshotArchiveTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    private static StateSnapshot Sample() =>
        new(12, KvTable.Empty.With("a", 3, "alpha").With("gone", 4).Delete("gone", 5).With("b", 12, "beta"));

    private static byte[] Archive(StateSnapshot state, ulong term = 2)
    {
        using var stream = new MemoryStream();
        SnapshotArchive.Write(state, term, Now, stream);
        return stream.ToArray();
    }

    private static Dictionary<string, byte[]> Members(byte[] archive)
    {
        using var gzip = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var members = new Dictionary<string, byte[]>();
        while (tar.GetNextEntry(copyData: true) is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            members.Add(entry.Name, data.ToArray());
        }
        return members;
    }

    /// <summary>A gzip'd tar of <paramref name="members"/> in order, as an attacker or a bug might write it.</summary>
    private static byte[] Pack(params (string Name, byte[] Contents)[] members)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            foreach (var (name, contents) in members)
            {
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(contents) });
            }
        }
        return stream.ToArray();
    }

    private static byte[] Sums(byte[] meta, byte[] state) => Encoding.ASCII.GetBytes(
        $"{Convert.ToHexStringLower(SHA256.HashData(meta))}  meta.json\n{Convert.ToHexStringLower(SHA256.HashData(state))}  state.bin\n");

    private static string Refusal(byte[] archive) => Assert.Throws<InvalidDataException>(() => SnapshotArchive.Read(archive)).Message;

    [Fact]
    public void Archive_is_a_gzipped_tar_of_meta_state_and_sums_in_consul_shape()
    {
        var archive = Archive(Sample());

        Assert.Equal([0x1f, 0x8b], archive[..2]);
        var members = Members(archive);
        Assert.Equal(["meta.json", "state.bin", "SHA256SUMS"], members.Keys);
        var meta = Encoding.UTF8.GetString(members["meta.json"]);
        Assert.Equal($"{{\"Version\":1,\"ID\":\"2-12-1700000000123\",\"Index\":12,\"Term\":2,\"Size\":{members["state.bin"].Length}}}\n", meta);
        Assert.Equal(Encoding.ASCII.GetString(Sums(members["meta.json"], members["state.bin"])), Encoding.ASCII.GetString(members["SHA256SUMS"]));
    }

    [Fact]
    public void Archive_round_trips_the_state_and_meta()
    {
        var archive = Archive(Sample(), term: 7);

        var (meta, state) = SnapshotArchive.Read(archive);

        Assert.Equal(new SnapshotArchiveMeta("7-12-1700000000123", meta.Size, 12, 7, 1), meta);
        Assert.Equal(["a", "b"], state.Kv.Entries.Keys());
        Assert.Equal([new KvTombstone("gone", 5)], state.Kv.Tombstones);
        Assert.Equal(12UL, state.Index);
        Assert.Equal(meta, SnapshotArchive.Read(new MemoryStream(archive)).Meta);
    }

    [Fact]
    public void Bad_archives_are_refused_with_what_is_wrong()
    {
        var members = Members(Archive(Sample()));
        var meta = members["meta.json"];
        var state = members["state.bin"];
        var sums = members["SHA256SUMS"];
        var flipped = (byte[])state.Clone();
        flipped[^1] ^= 0xFF;
        var otherMeta = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(meta).Replace("\"Index\":12", "\"Index\":13", StringComparison.Ordinal));
        var badDocument = "not msgpack"u8.ToArray();
        var badMetaSize = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(meta).Replace($"\"Size\":{state.Length}", "\"Size\":3", StringComparison.Ordinal));

        Assert.Equal("not a snapshot archive: not gzip-compressed", Refusal("hello"u8.ToArray()));
        Assert.Equal("not a snapshot archive: not gzip-compressed", Refusal([]));
        Assert.StartsWith("not a snapshot archive: ", Refusal([0x1f, 0x8b, 1, 2, 3]), StringComparison.Ordinal);
        using (var gzippedText = new MemoryStream())
        {
            using (var gzip = new GZipStream(gzippedText, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(new byte[1024].Select(_ => (byte)'x').ToArray());
            }
            Assert.StartsWith("not a snapshot archive: ", Refusal(gzippedText.ToArray()), StringComparison.Ordinal);
        }
        Assert.Equal("snapshot archive has no state.bin", Refusal(Pack(("meta.json", meta), ("SHA256SUMS", sums))));
        Assert.Equal("snapshot archive has no SHA256SUMS", Refusal(Pack(("meta.json", meta), ("state.bin", state))));
        Assert.Equal("unexpected file \"extra\" in snapshot archive", Refusal(Pack(("meta.json", meta), ("state.bin", state), ("SHA256SUMS", sums), ("extra", []))));
        Assert.Equal("state.bin appears twice in snapshot archive", Refusal(Pack(("meta.json", meta), ("state.bin", state), ("state.bin", state), ("SHA256SUMS", sums))));
        Assert.Equal("failed checking integrity of snapshot: hash check failed for \"state.bin\"", Refusal(Pack(("meta.json", meta), ("state.bin", flipped), ("SHA256SUMS", sums))));
        Assert.Equal("failed checking integrity of snapshot: no hash for \"state.bin\"", Refusal(Pack(("meta.json", meta), ("state.bin", state), ("SHA256SUMS", Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(sums).Split('\n')[0] + "\n")))));
        Assert.StartsWith("failed checking integrity of snapshot: bad SHA256SUMS line", Refusal(Pack(("meta.json", meta), ("state.bin", state), ("SHA256SUMS", "junk\n"u8.ToArray()))), StringComparison.Ordinal);
        Assert.StartsWith("bad meta.json: ", Refusal(Pack(("meta.json", "{}"u8.ToArray()), ("state.bin", state), ("SHA256SUMS", Sums("{}"u8.ToArray(), state)))), StringComparison.Ordinal);
        Assert.Equal("snapshot meta gives index 13 but state.bin is at index 12", Refusal(Pack(("meta.json", otherMeta), ("state.bin", state), ("SHA256SUMS", Sums(otherMeta, state)))));
        Assert.Equal($"snapshot meta gives size 3 but state.bin holds {state.Length} bytes", Refusal(Pack(("meta.json", badMetaSize), ("state.bin", state), ("SHA256SUMS", Sums(badMetaSize, state)))));
        var badMeta = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(meta).Replace($"\"Size\":{state.Length}", $"\"Size\":{badDocument.Length}", StringComparison.Ordinal));
        Assert.StartsWith("bad state.bin: ", Refusal(Pack(("meta.json", badMeta), ("state.bin", badDocument), ("SHA256SUMS", Sums(badMeta, badDocument)))), StringComparison.Ordinal);
    }

    [Fact]
    public void Truncations_and_random_corruption_are_refused_with_InvalidDataException_or_lose_nothing()
    {
        var archive = Archive(Sample());
        var whole = SnapshotArchive.Read(archive).Meta;
        var accepted = 0;
        for (var length = 0; length < archive.Length; length++)
        {
            try
            {
                // Only a cut in what follows the verified members (tar's end blocks, gzip's trailer) may pass, and then nothing is lost.
                Assert.Equal(whole, SnapshotArchive.Read(archive[..length]).Meta);
                accepted++;
            }
            catch (InvalidDataException)
            {
            }
        }
        Assert.True(accepted < 16, $"{accepted} truncations accepted");
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = (byte[])archive.Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            var ex = Record.Exception(() => SnapshotArchive.Read(bytes));
            Assert.True(ex is null or InvalidDataException, $"seed {seed}, input {i}: {ex}");
        }
    }

    [Fact]
    public void An_archive_past_the_limit_is_refused_before_it_is_read()
    {
        var ex = Assert.Throws<InvalidDataException>(() => SnapshotArchive.Read(new MemoryStream(new byte[SnapshotArchive.ArchiveMaxBytes + 1])));
        Assert.Equal($"snapshot archive is larger than {SnapshotArchive.ArchiveMaxBytes} bytes", ex.Message);
    }
}
