using System.Buffers;
using MessagePack;
using Praetor.Agent.Cluster;
using Praetor.State.Catalog;
using Praetor.State.Commands;
using Praetor.State.Coordinates;
using Praetor.State.Kv;
using Praetor.State.Sessions;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>
/// The msgpack encodings of the endpoint RPC's arguments and results, built from the records'
/// own codecs (<see cref="KvCodec"/>, <see cref="CatalogCodec"/>, <see cref="CommandCodec"/>'s
/// operations): tuples and lists are arrays, an absent value is nil. Every reader checks shapes
/// and ranges, so a malformed body fails to decode rather than yield a wrong value.
/// </summary>
internal static class EndpointRpcCodecs
{
    public static readonly RpcValueCodec<string> RequiredString = new(
        static (ref MessagePackWriter w, string v) => w.Write(v),
        static (ref MessagePackReader r) => r.ReadString() ?? throw new InvalidDataException("a string is nil"));

    public static readonly RpcValueCodec<string?> OptionalString = new(
        static (ref MessagePackWriter w, string? v) => w.Write(v),
        static (ref MessagePackReader r) => r.ReadString());

    public static readonly RpcValueCodec<bool> Flag = new(
        static (ref MessagePackWriter w, bool v) => w.Write(v),
        static (ref MessagePackReader r) => r.ReadBoolean());

    /// <summary>No value: nil (the arguments of a call that takes none).</summary>
    public static readonly RpcValueCodec<ValueTuple> None = new(
        static (ref MessagePackWriter w, ValueTuple _) => w.WriteNil(),
        static (ref MessagePackReader r) => r.TryReadNil() ? default : throw new InvalidDataException("expected nil"));

    public static readonly RpcValueCodec<IReadOnlyList<string>> Strings = List(RequiredString);

    public static readonly RpcValueCodec<ulong> Number = new(
        static (ref MessagePackWriter w, ulong v) => w.Write(v),
        static (ref MessagePackReader r) => r.ReadUInt64());

    /// <summary>A length or an offset: a non-negative 32-bit integer.</summary>
    public static readonly RpcValueCodec<int> Count = new(
        static (ref MessagePackWriter w, int v) => w.Write(v),
        static (ref MessagePackReader r) =>
        {
            var count = r.ReadInt32();
            return count >= 0 ? count : throw new InvalidDataException($"negative count {count}");
        });

    /// <summary>Bytes: msgpack bin.</summary>
    public static readonly RpcValueCodec<ReadOnlyMemory<byte>> Binary = new(
        static (ref MessagePackWriter w, ReadOnlyMemory<byte> v) => w.Write(v.Span),
        static (ref MessagePackReader r) => (r.ReadBytes() ?? throw new InvalidDataException("bytes are nil")).ToArray());

    public static readonly RpcValueCodec<ConsistencyMode> Consistency = new(
        static (ref MessagePackWriter w, ConsistencyMode v) => w.Write((byte)v),
        static (ref MessagePackReader r) =>
        {
            var mode = (ConsistencyMode)r.ReadByte();
            return Enum.IsDefined(mode) ? mode : throw new InvalidDataException($"unknown consistency mode {(byte)mode}");
        });

    /// <summary><c>[min-index, wait in ticks, consistency]</c>.</summary>
    public static readonly RpcValueCodec<QueryOptions> Options = new(
        static (ref MessagePackWriter w, QueryOptions v) =>
        {
            w.WriteArrayHeader(3);
            w.Write(v.MinIndex);
            w.Write(v.Wait.Ticks);
            Consistency.Write(ref w, v.Consistency);
        },
        static (ref MessagePackReader r) =>
        {
            Header(ref r, 3, "query options");
            var minIndex = r.ReadUInt64();
            var wait = NonNegativeTicks(ref r, "wait");
            return new QueryOptions(minIndex, wait, Consistency.Read(ref r));
        });

    /// <summary><c>[index, known-leader, last-contact in ticks, consistency]</c>.</summary>
    public static readonly RpcValueCodec<QueryMeta> Meta = new(
        static (ref MessagePackWriter w, QueryMeta v) =>
        {
            w.WriteArrayHeader(4);
            w.Write(v.Index);
            w.Write(v.KnownLeader);
            w.Write(v.LastContact.Ticks);
            Consistency.Write(ref w, v.Consistency);
        },
        static (ref MessagePackReader r) =>
        {
            Header(ref r, 4, "query meta");
            var index = r.ReadUInt64();
            var knownLeader = r.ReadBoolean();
            var lastContact = NonNegativeTicks(ref r, "last contact");
            return new QueryMeta(index, knownLeader, lastContact, Consistency.Read(ref r));
        });

    /// <summary><c>[[key, value], ...]</c>: the pairs in order, a key possibly repeated.</summary>
    public static readonly RpcValueCodec<NodeMetaFilter> NodeMeta = new(
        static (ref MessagePackWriter w, NodeMetaFilter v) =>
        {
            w.WriteArrayHeader(v.Pairs.Count);
            foreach (var (key, value) in v.Pairs)
            {
                w.WriteArrayHeader(2);
                w.Write(key);
                w.Write(value);
            }
        },
        static (ref MessagePackReader r) =>
        {
            var pairs = new KeyValuePair<string, string>[r.ReadArrayHeader()];
            for (var i = 0; i < pairs.Length; i++)
            {
                Header(ref r, 2, "node meta pair");
                pairs[i] = new(RequiredString.Read(ref r), RequiredString.Read(ref r));
            }
            return new NodeMetaFilter(pairs);
        });

    public static readonly RpcValueCodec<KvEntry> Entry = new(KvCodec.WriteEntry, KvCodec.ReadEntry);

    public static readonly RpcValueCodec<IReadOnlyList<KvEntry>> Entries = List(Entry);

    public static readonly RpcValueCodec<IReadOnlyList<Session>> Sessions = List(new RpcValueCodec<Session>(SessionCodec.Write, SessionCodec.Read));

    public static readonly RpcValueCodec<CoordinateEntry> Coordinate = new(CoordinateCodec.WriteEntry, CoordinateCodec.ReadEntry);

    public static readonly RpcValueCodec<IReadOnlyList<CoordinateEntry>> Coordinates = List(Coordinate);

    /// <summary><c>[datacenter, area, [coordinates]]</c>.</summary>
    public static readonly RpcValueCodec<DatacenterCoordinates> DatacenterMap = new(
        static (ref MessagePackWriter w, DatacenterCoordinates v) =>
        {
            w.WriteArrayHeader(3);
            w.Write(v.Datacenter);
            w.Write(v.AreaId);
            Coordinates.Write(ref w, v.Coordinates);
        },
        static (ref MessagePackReader r) =>
        {
            Header(ref r, 3, "datacenter coordinates");
            return new DatacenterCoordinates(RequiredString.Read(ref r), RequiredString.Read(ref r), Coordinates.Read(ref r));
        });

    public static readonly RpcValueCodec<CatalogNode> Node = new(CatalogCodec.WriteNode, CatalogCodec.ReadNode);

    public static readonly RpcValueCodec<ServiceInstance> Service = new(CatalogCodec.WriteService, CatalogCodec.ReadService);

    public static readonly RpcValueCodec<HealthCheck> Check = new(CatalogCodec.WriteCheck, CatalogCodec.ReadCheck);

    public static readonly RpcValueCodec<IReadOnlyList<HealthCheck>> CheckList = List(Check);

    /// <summary><c>[node, service, [checks]]</c>.</summary>
    public static readonly RpcValueCodec<ServiceHealth> ServiceEntry = new(
        static (ref MessagePackWriter w, ServiceHealth v) =>
        {
            w.WriteArrayHeader(3);
            Node.Write(ref w, v.Node);
            Service.Write(ref w, v.Service);
            CheckList.Write(ref w, v.Checks);
        },
        static (ref MessagePackReader r) =>
        {
            Header(ref r, 3, "service health");
            return new ServiceHealth(Node.Read(ref r), Service.Read(ref r), CheckList.Read(ref r));
        });

    /// <summary>
    /// A read-only transaction's operations, <c>[operation, ...]</c> as the log encodes them; an
    /// operation that writes is refused, so a server never writes on behalf of a read.
    /// </summary>
    public static readonly RpcValueCodec<IReadOnlyList<TxnOperation>> ReadOperations = new(
        static (ref MessagePackWriter w, IReadOnlyList<TxnOperation> v) =>
        {
            w.WriteArrayHeader(v.Count);
            foreach (var operation in v)
            {
                CommandCodec.WriteOperation(ref w, operation);
            }
        },
        static (ref MessagePackReader r) =>
        {
            var operations = new TxnOperation[r.ReadArrayHeader()];
            for (var i = 0; i < operations.Length; i++)
            {
                operations[i] = CommandCodec.ReadOperation(ref r);
            }
            return TxnEndpoint.IsReadOnly(operations) ? operations : throw new InvalidDataException("a read-only transaction has an operation that writes");
        });

    /// <summary><c>[[entries], [[op-index, what], ...]]</c>.</summary>
    public static readonly RpcValueCodec<TxnResult> Transaction = new(
        static (ref MessagePackWriter w, TxnResult v) =>
        {
            w.WriteArrayHeader(2);
            Entries.Write(ref w, v.Results);
            w.WriteArrayHeader(v.Errors.Count);
            foreach (var error in v.Errors)
            {
                w.WriteArrayHeader(2);
                w.Write(error.OpIndex);
                w.Write(error.What);
            }
        },
        static (ref MessagePackReader r) =>
        {
            Header(ref r, 2, "transaction result");
            var results = Entries.Read(ref r);
            var errors = new TxnError[r.ReadArrayHeader()];
            for (var i = 0; i < errors.Length; i++)
            {
                Header(ref r, 2, "transaction error");
                errors[i] = new TxnError(r.ReadInt32(), RequiredString.Read(ref r));
            }
            return new TxnResult(results, errors);
        });

    /// <summary><c>[[[id, node, address, leader, voter, protocol, last-index], ...], index]</c>.</summary>
    public static readonly RpcValueCodec<RaftConfigurationInfo> RaftConfiguration = new(
        static (ref MessagePackWriter w, RaftConfigurationInfo v) =>
        {
            w.WriteArrayHeader(2);
            w.WriteArrayHeader(v.Servers.Count);
            foreach (var server in v.Servers)
            {
                w.WriteArrayHeader(7);
                w.Write(server.Id);
                w.Write(server.Node);
                w.Write(server.Address);
                w.Write(server.Leader);
                w.Write(server.Voter);
                w.Write(server.ProtocolVersion);
                w.Write(server.LastIndex);
            }
            w.Write(v.Index);
        },
        static (ref MessagePackReader r) =>
        {
            Header(ref r, 2, "raft configuration");
            var servers = new RaftServerInfo[r.ReadArrayHeader()];
            for (var i = 0; i < servers.Length; i++)
            {
                Header(ref r, 7, "raft server");
                servers[i] = new RaftServerInfo(
                    RequiredString.Read(ref r), RequiredString.Read(ref r), RequiredString.Read(ref r),
                    r.ReadBoolean(), r.ReadBoolean(), RequiredString.Read(ref r), r.ReadUInt64());
            }
            return new RaftConfigurationInfo(servers, r.ReadUInt64());
        });

    /// <summary>A value or nil.</summary>
    public static RpcValueCodec<T?> Optional<T>(RpcValueCodec<T> codec)
        where T : class =>
        new(
            (ref MessagePackWriter w, T? v) =>
            {
                if (v is null)
                {
                    w.WriteNil();
                }
                else
                {
                    codec.Write(ref w, v);
                }
            },
            (ref MessagePackReader r) => r.TryReadNil() ? null : codec.Read(ref r));

    /// <summary><c>[item, ...]</c>.</summary>
    public static RpcValueCodec<IReadOnlyList<T>> List<T>(RpcValueCodec<T> codec) =>
        new(
            (ref MessagePackWriter w, IReadOnlyList<T> v) =>
            {
                w.WriteArrayHeader(v.Count);
                foreach (var item in v)
                {
                    codec.Write(ref w, item);
                }
            },
            (ref MessagePackReader r) =>
            {
                // The reader refuses a count beyond the bytes left, so a forged count cannot allocate much.
                var items = new T[r.ReadArrayHeader()];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = codec.Read(ref r);
                }
                return items;
            });

    /// <summary><c>[first, second]</c>.</summary>
    public static RpcValueCodec<(T1, T2)> Pair<T1, T2>(RpcValueCodec<T1> first, RpcValueCodec<T2> second) =>
        new(
            (ref MessagePackWriter w, (T1, T2) v) =>
            {
                w.WriteArrayHeader(2);
                first.Write(ref w, v.Item1);
                second.Write(ref w, v.Item2);
            },
            (ref MessagePackReader r) =>
            {
                Header(ref r, 2, "pair");
                return (first.Read(ref r), second.Read(ref r));
            });

    /// <summary><c>[first, second, third]</c>.</summary>
    public static RpcValueCodec<(T1, T2, T3)> Triple<T1, T2, T3>(RpcValueCodec<T1> first, RpcValueCodec<T2> second, RpcValueCodec<T3> third) =>
        new(
            (ref MessagePackWriter w, (T1, T2, T3) v) =>
            {
                w.WriteArrayHeader(3);
                first.Write(ref w, v.Item1);
                second.Write(ref w, v.Item2);
                third.Write(ref w, v.Item3);
            },
            (ref MessagePackReader r) =>
            {
                Header(ref r, 3, "triple");
                return (first.Read(ref r), second.Read(ref r), third.Read(ref r));
            });

    /// <summary>A read's answer: <c>[meta, value]</c>.</summary>
    public static RpcValueCodec<QueryResult<T>> Query<T>(RpcValueCodec<T> value) =>
        new(
            (ref MessagePackWriter w, QueryResult<T> v) =>
            {
                w.WriteArrayHeader(2);
                Meta.Write(ref w, v.Meta);
                value.Write(ref w, v.Value);
            },
            (ref MessagePackReader r) =>
            {
                Header(ref r, 2, "query result");
                var meta = Meta.Read(ref r);
                return new QueryResult<T>(value.Read(ref r), meta);
            });

    private static void Header(ref MessagePackReader reader, int fields, string what)
    {
        var count = reader.ReadArrayHeader();
        if (count != fields)
        {
            throw new InvalidDataException($"{what} has {count} fields, expected {fields}");
        }
    }

    private static TimeSpan NonNegativeTicks(ref MessagePackReader reader, string what)
    {
        var ticks = reader.ReadInt64();
        return ticks >= 0 ? TimeSpan.FromTicks(ticks) : throw new InvalidDataException($"negative {what}");
    }
}
