using System.Buffers;
using MessagePack;

namespace Praetor.State.Commands;

/// <summary>
/// The stable binary encoding of commands in the log: a msgpack array
/// <c>[type, version, fields...]</c>. Old entries must decode forever, so a field is only
/// ever appended, with a version bump, and decoders accept every version they ever wrote.
/// </summary>
public static class CommandCodec
{
    private const byte Version = 1;

    public static byte[] Encode(Command command)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        switch (command)
        {
            case TxnCommand txn:
                writer.WriteArrayHeader(3);
                writer.Write((byte)CommandType.Txn);
                writer.Write(Version);
                writer.WriteArrayHeader(txn.Operations.Count);
                foreach (var operation in txn.Operations)
                {
                    WriteOperation(ref writer, operation);
                }
                break;
            case ReapTombstonesCommand reap:
                writer.WriteArrayHeader(3);
                writer.Write((byte)CommandType.ReapTombstones);
                writer.Write(Version);
                writer.Write(reap.UpToIndex);
                break;
            default:
                throw new ArgumentException($"no encoding for command {command.GetType().Name}", nameof(command));
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes one command; a malformed entry raises <see cref="CommandDecodeException"/>.</summary>
    public static Command Decode(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            var reader = new MessagePackReader(encoded);
            var fields = reader.ReadArrayHeader();
            var type = (CommandType)reader.ReadByte();
            var version = reader.ReadByte();
            if (version != Version || fields != 3)
            {
                throw new CommandDecodeException($"unsupported {type} command version {version} with {fields} fields");
            }
            Command command = type switch
            {
                CommandType.Txn => ReadTxn(ref reader),
                CommandType.ReapTombstones => new ReapTombstonesCommand(reader.ReadUInt64()),
                _ => throw new CommandDecodeException($"unknown command type {(byte)type}"),
            };
            if (!reader.End)
            {
                throw new CommandDecodeException($"{type} command has trailing bytes");
            }
            return command;
        }
        // MessagePack reports a str/bin length above int.MaxValue as ArgumentOutOfRangeException.
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new CommandDecodeException($"malformed command: {ex.Message}", ex);
        }
    }

    private static TxnCommand ReadTxn(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        var operations = new TxnOperation[count];
        for (var i = 0; i < count; i++)
        {
            operations[i] = ReadOperation(ref reader);
        }
        return new TxnCommand(operations);
    }

    private static void WriteOperation(ref MessagePackWriter writer, TxnOperation operation)
    {
        switch (operation)
        {
            case KvOperation kv:
                writer.WriteArrayHeader(7);
                writer.Write((byte)TxnOperationKind.Kv);
                writer.Write((byte)kv.Verb);
                writer.Write(kv.Key);
                if (kv.Value is null)
                {
                    writer.WriteNil();
                }
                else
                {
                    writer.Write(kv.Value);
                }
                writer.Write(kv.Flags);
                writer.Write(kv.Index);
                writer.Write(kv.Session);
                break;
            default:
                throw new ArgumentException($"no encoding for operation {operation.GetType().Name}", nameof(operation));
        }
    }

    private static TxnOperation ReadOperation(ref MessagePackReader reader)
    {
        var fields = reader.ReadArrayHeader();
        var kind = (TxnOperationKind)reader.ReadByte();
        if (kind != TxnOperationKind.Kv || fields != 7)
        {
            throw new CommandDecodeException($"unknown transaction operation kind {(byte)kind} with {fields} fields");
        }
        var verb = (KvVerb)reader.ReadByte();
        if (!Enum.IsDefined(verb))
        {
            throw new CommandDecodeException($"unknown KV verb {(byte)verb}");
        }
        var key = reader.ReadString() ?? throw new CommandDecodeException("KV operation without a key");
        var value = reader.TryReadNil() ? null : reader.ReadBytes()?.ToArray();
        var flags = reader.ReadUInt64();
        var index = reader.ReadUInt64();
        var session = reader.ReadString();
        return new KvOperation(verb, key, value, flags, index, session);
    }
}

/// <summary>An encoded command that cannot be decoded: the log is corrupt or from a newer version.</summary>
public sealed class CommandDecodeException : Exception
{
    public CommandDecodeException(string message) : base(message)
    {
    }

    public CommandDecodeException(string message, Exception inner) : base(message, inner)
    {
    }
}
