using System.Buffers;
using MessagePack;
using Praetor.State.Catalog;
using Praetor.State.Coordinates;
using Praetor.State.Kv;
using Praetor.State.Sessions;

namespace Praetor.State;

/// <summary>
/// Writes and reads the whole state store as one msgpack document:
/// <c>["praetor-state", version, index, kv-index, [entries], [tombstones],
/// [nodes-index, services-index, checks-index, [nodes], [services], [checks]], index-offset,
/// [sessions-index, [sessions]], [coordinates-index, [coordinates]]]</c> (version 1 had no index
/// offset: it reads as zero; versions 1 and 2 had no sessions and no coordinates: they read as
/// none). Raft snapshots, the restore command and
/// `praetor snapshot save` (<see cref="SnapshotArchive"/>) use it. The document is built in
/// memory, which bounds the store by memory anyway (the store itself is in memory).
/// </summary>
public static class SnapshotCodec
{
    private const string Magic = "praetor-state";
    private const int Version = 3;

    /// <summary>The document's length by version: 2 added the index offset, 3 the sessions and the coordinates.</summary>
    private static int FieldsOf(int version) => version switch { 1 => 7, 2 => 8, _ => 10 };

    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="destination"/> as one document.</summary>
    public static void Write(StateSnapshot snapshot, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        Write(snapshot, buffer);
        destination.Write(buffer.WrittenSpan);
    }

    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="destination"/> as one document.</summary>
    public static void Write(StateSnapshot snapshot, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var writer = new MessagePackWriter(destination);
        writer.WriteArrayHeader(10);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(snapshot.Index);
        writer.Write(snapshot.Kv.Index);
        writer.WriteArrayHeader(snapshot.Kv.Count);
        foreach (var entry in snapshot.Kv.Entries)
        {
            KvCodec.WriteEntry(ref writer, entry);
        }
        writer.WriteArrayHeader(snapshot.Kv.Tombstones.Count);
        foreach (var tombstone in snapshot.Kv.Tombstones)
        {
            WriteTombstone(ref writer, tombstone);
        }
        WriteCatalog(ref writer, snapshot.Catalog);
        writer.Write(snapshot.IndexOffset);
        WriteSection(ref writer, snapshot.Sessions.Index, snapshot.Sessions.Count, snapshot.Sessions.All, SessionCodec.Write);
        WriteSection(ref writer, snapshot.Coordinates.Index, snapshot.Coordinates.Count, snapshot.Coordinates.Entries, CoordinateCodec.WriteEntry);
        writer.Flush();
    }

    /// <summary>
    /// What the document of <paramref name="snapshot"/> is made of, in the terms of Consul's
    /// snapshot records (`consul snapshot inspect`): <c>KVS</c> (entries), <c>Tombstone</c>, and
    /// <c>Register</c> (one per node, service and check), <c>Session</c>, <c>Coordinate</c>, each with its count and encoded bytes.
    /// </summary>
    public static IReadOnlyList<SnapshotRecordStats> Statistics(StateSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var buffer = new ArrayBufferWriter<byte>(1024);
        long Size(WriteItem write)
        {
            buffer.Clear();
            var writer = new MessagePackWriter(buffer);
            write(ref writer);
            writer.Flush();
            return buffer.WrittenCount;
        }
        var catalog = snapshot.Catalog;
        var nodes = catalog.Nodes.ToList();
        var services = nodes.SelectMany(n => catalog.ServicesOn(n.Node)).ToList();
        var checks = catalog.AllChecks().ToList();
        return
        [
            new("KVS", snapshot.Kv.Count, snapshot.Kv.Entries.Sum(e => Size((ref w) => KvCodec.WriteEntry(ref w, e)))),
            new("Tombstone", snapshot.Kv.Tombstones.Count, snapshot.Kv.Tombstones.Sum(t => Size((ref w) => WriteTombstone(ref w, t)))),
            new("Register", nodes.Count + services.Count + checks.Count,
                nodes.Sum(n => Size((ref w) => CatalogCodec.WriteNode(ref w, n)))
                + services.Sum(v => Size((ref w) => CatalogCodec.WriteService(ref w, v)))
                + checks.Sum(c => Size((ref w) => CatalogCodec.WriteCheck(ref w, c)))),
            new("Session", snapshot.Sessions.Count, snapshot.Sessions.All.Sum(v => Size((ref w) => SessionCodec.Write(ref w, v)))),
            new("Coordinate", snapshot.Coordinates.Count, snapshot.Coordinates.Entries.Sum(c => Size((ref w) => CoordinateCodec.WriteEntry(ref w, c)))),
        ];
    }

    private delegate void WriteItem(ref MessagePackWriter writer);

    private static void WriteTombstone(ref MessagePackWriter writer, KvTombstone tombstone)
    {
        writer.WriteArrayHeader(2);
        writer.Write(tombstone.Key);
        writer.Write(tombstone.Index);
    }

    /// <summary>Reads a snapshot; anything malformed raises <see cref="InvalidDataException"/> and nothing is applied.</summary>
    public static StateSnapshot Read(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var copy = new MemoryStream();
        source.CopyTo(copy);
        return Read(copy.GetBuffer().AsMemory(0, (int)copy.Length));
    }

    /// <inheritdoc cref="Read(Stream)"/>
    public static StateSnapshot Read(ReadOnlyMemory<byte> document)
    {
        try
        {
            var reader = new MessagePackReader(document);
            var fields = reader.ReadArrayHeader();
            if (fields is < 7 or > 10 || reader.ReadString() != Magic)
            {
                throw new InvalidDataException("not a Praetor state snapshot");
            }
            var version = reader.ReadInt32();
            if (version is < 1 or > Version || fields != FieldsOf(version))
            {
                throw new InvalidDataException($"unsupported snapshot version {version} with {fields} fields");
            }
            var index = reader.ReadUInt64();
            var kvIndex = reader.ReadUInt64();
            var entries = new KvEntry[reader.ReadArrayHeader()];
            // A key twice would break the table's sorted, unique-key invariant.
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i] = KvCodec.ReadEntry(ref reader);
                if (!keys.Add(entry.Key))
                {
                    throw new InvalidDataException($"snapshot KV key \"{entry.Key}\" appears twice");
                }
                CheckIndex(entry.ModifyIndex, index);
            }
            var tombstones = new KvTombstone[reader.ReadArrayHeader()];
            keys.Clear();
            for (var i = 0; i < tombstones.Length; i++)
            {
                if (reader.ReadArrayHeader() != 2)
                {
                    throw new InvalidDataException($"snapshot tombstone {i} is malformed");
                }
                var key = reader.ReadString() ?? throw new InvalidDataException($"snapshot tombstone {i} has no key");
                if (!keys.Add(key))
                {
                    throw new InvalidDataException($"snapshot tombstone \"{key}\" appears twice");
                }
                tombstones[i] = new KvTombstone(key, reader.ReadUInt64());
                CheckIndex(tombstones[i].Index, index);
            }
            CheckIndex(kvIndex, index);
            var catalog = ReadCatalog(ref reader);
            CheckIndex(Math.Max(catalog.NodesIndex, Math.Max(catalog.ServicesIndex, catalog.ChecksIndex)), index);
            var offset = version == 1 ? 0 : reader.ReadUInt64();
            if (offset > index)
            {
                throw new InvalidDataException($"snapshot index offset {offset} is past its index {index}");
            }
            var sessions = version < 3 ? SessionTable.Empty : ReadSessions(ref reader, catalog);
            CheckIndex(sessions.Index, index);
            var coordinates = version < 3 ? CoordinateTable.Empty : ReadCoordinates(ref reader, catalog);
            CheckIndex(coordinates.Index, index);
            if (!reader.End)
            {
                throw new InvalidDataException("snapshot has trailing bytes");
            }
            return new StateSnapshot(index, KvTable.Restore(entries, tombstones, kvIndex)) { Catalog = catalog, IndexOffset = offset, Sessions = sessions, Coordinates = coordinates };
        }
        // Reading is pure: whatever malformed input makes the msgpack reader throw (its own
        // exceptions, end of stream, overflow, an out-of-range length) means the same.
        catch (Exception ex) when (ex is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"malformed snapshot: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Refuses an index past the document's own: indexes after a restore start past the document's
    /// (<see cref="StateSnapshot.IndexOffset"/>), which must then be past everything in it.
    /// </summary>
    private static void CheckIndex(ulong value, ulong index)
    {
        if (value > index)
        {
            throw new InvalidDataException($"snapshot holds index {value}, past its own index {index}");
        }
    }



    private delegate void WriteRecord<T>(ref MessagePackWriter writer, T record);

    private delegate T ReadRecord<T>(ref MessagePackReader reader);

    /// <summary>A table's section of the document (sessions, coordinates): <c>[index, [records]]</c>.</summary>
    private static void WriteSection<T>(ref MessagePackWriter writer, ulong index, int count, IEnumerable<T> records, WriteRecord<T> write)
    {
        writer.WriteArrayHeader(2);
        writer.Write(index);
        writer.WriteArrayHeader(count);
        foreach (var record in records)
        {
            write(ref writer, record);
        }
    }

    /// <inheritdoc cref="WriteSection"/>
    private static (ulong Index, T[] Records) ReadSection<T>(ref MessagePackReader reader, string name, ReadRecord<T> read)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new InvalidDataException($"snapshot {name} section is malformed");
        }
        var index = reader.ReadUInt64();
        var records = new T[reader.ReadArrayHeader()];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = read(ref reader);
        }
        return (index, records);
    }

    /// <summary>Reads the sessions, refusing a duplicate ID or a session on a node the catalog does not have.</summary>
    private static SessionTable ReadSessions(ref MessagePackReader reader, CatalogTable catalog)
    {
        var (index, sessions) = ReadSection(ref reader, "sessions", SessionCodec.Read);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var session in sessions)
        {
            if (!ids.Add(session.Id) || catalog.Node(session.Node) is null)
            {
                throw new InvalidDataException($"snapshot session \"{session.Id}\" is a duplicate or has no node");
            }
        }
        return SessionTable.Restore(sessions, index);
    }

    /// <summary>Reads the coordinates, refusing coordinates of nodes not in <paramref name="catalog"/> (the table refuses duplicates).</summary>
    private static CoordinateTable ReadCoordinates(ref MessagePackReader reader, CatalogTable catalog)
    {
        var (index, entries) = ReadSection(ref reader, "coordinates", CoordinateCodec.ReadEntry);
        foreach (var entry in entries)
        {
            if (catalog.Node(entry.Node) is null)
            {
                throw new InvalidDataException($"snapshot coordinate of node \"{entry.Node}\" has no node");
            }
        }
        return CoordinateTable.Restore(entries, index);
    }

    private static void WriteCatalog(ref MessagePackWriter writer, CatalogTable catalog)
    {
        writer.WriteArrayHeader(6);
        writer.Write(catalog.NodesIndex);
        writer.Write(catalog.ServicesIndex);
        writer.Write(catalog.ChecksIndex);
        var nodes = catalog.Nodes.ToList();
        writer.WriteArrayHeader(nodes.Count);
        foreach (var node in nodes)
        {
            CatalogCodec.WriteNode(ref writer, node);
        }
        var services = nodes.SelectMany(n => catalog.ServicesOn(n.Node)).ToList();
        writer.WriteArrayHeader(services.Count);
        foreach (var service in services)
        {
            CatalogCodec.WriteService(ref writer, service);
        }
        var checks = catalog.AllChecks().ToList();
        writer.WriteArrayHeader(checks.Count);
        foreach (var check in checks)
        {
            CatalogCodec.WriteCheck(ref writer, check);
        }
    }

    /// <summary>Reads the catalog, refusing duplicates and services or checks on nodes (or of services) that are not there.</summary>
    private static CatalogTable ReadCatalog(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 6)
        {
            throw new InvalidDataException("snapshot catalog section is malformed");
        }
        var nodesIndex = reader.ReadUInt64();
        var servicesIndex = reader.ReadUInt64();
        var checksIndex = reader.ReadUInt64();
        var nodes = new CatalogNode[reader.ReadArrayHeader()];
        var nodeNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = CatalogCodec.ReadNode(ref reader);
            if (!nodeNames.Add(nodes[i].Node))
            {
                throw new InvalidDataException($"snapshot node \"{nodes[i].Node}\" appears twice");
            }
        }
        var services = new ServiceInstance[reader.ReadArrayHeader()];
        var serviceKeys = new HashSet<(string, string)>();
        for (var i = 0; i < services.Length; i++)
        {
            services[i] = CatalogCodec.ReadService(ref reader);
            if (!nodeNames.Contains(services[i].Node) || !serviceKeys.Add((services[i].Node.ToLowerInvariant(), services[i].Id)))
            {
                throw new InvalidDataException($"snapshot service \"{services[i].Id}\" on node \"{services[i].Node}\" is a duplicate or has no node");
            }
        }
        var checks = new HealthCheck[reader.ReadArrayHeader()];
        var checkKeys = new HashSet<(string, string)>();
        for (var i = 0; i < checks.Length; i++)
        {
            var check = checks[i] = CatalogCodec.ReadCheck(ref reader);
            var node = check.Node.ToLowerInvariant();
            if (!nodeNames.Contains(check.Node) || !checkKeys.Add((node, check.CheckId))
                || (check.ServiceId.Length > 0 && !serviceKeys.Contains((node, check.ServiceId))))
            {
                throw new InvalidDataException($"snapshot check \"{check.CheckId}\" on node \"{check.Node}\" is a duplicate or has no node or service");
            }
        }
        return CatalogTable.Restore(nodes, services, checks, nodesIndex, servicesIndex, checksIndex);
    }


}

/// <summary>One kind of record in a state document: its name (Consul's message type), how many, and their encoded bytes.</summary>
public readonly record struct SnapshotRecordStats(string Name, int Count, long Size);
