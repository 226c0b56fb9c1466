using System.Buffers;
using MessagePack;
using Praetor.State.Catalog;
using Praetor.State.Sessions;
using Praetor.State.Coordinates;

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
            case RegisterCommand register:
                writer.WriteArrayHeader(3);
                writer.Write((byte)CommandType.Register);
                writer.Write(Version);
                WriteRegistration(ref writer, register.Registration);
                break;
            case DeregisterCommand deregister:
                writer.WriteArrayHeader(3);
                writer.Write((byte)CommandType.Deregister);
                writer.Write(Version);
                writer.WriteArrayHeader(3);
                writer.Write(deregister.Node);
                writer.Write(deregister.ServiceId);
                writer.Write(deregister.CheckId);
                break;
            case RestoreCommand restore:
                writer.WriteArrayHeader(3);
                writer.Write((byte)CommandType.Restore);
                writer.Write(Version);
                var document = new ArrayBufferWriter<byte>(64 * 1024);
                SnapshotCodec.Write(restore.State, document);
                writer.Write(document.WrittenSpan);
                break;
            case SessionCreateCommand create:
                writer.WriteArrayHeader(3);
                writer.Write((byte)CommandType.SessionCreate);
                writer.Write(Version);
                SessionCodec.Write(ref writer, create.Session);
                break;
            case SessionDestroyCommand destroy:
                writer.WriteArrayHeader(3);
                writer.Write((byte)CommandType.SessionDestroy);
                writer.Write(Version);
                writer.Write(destroy.Id);
                break;
            case SessionRenewCommand renew:
                writer.WriteArrayHeader(3);
                writer.Write((byte)CommandType.SessionRenew);
                writer.Write(Version);
                writer.Write(renew.Id);
                break;
            case CoordinateBatchUpdateCommand coordinates:
                writer.WriteArrayHeader(3);
                writer.Write((byte)CommandType.CoordinateBatchUpdate);
                writer.Write(Version);
                writer.WriteArrayHeader(coordinates.Updates.Count);
                foreach (var update in coordinates.Updates)
                {
                    CoordinateCodec.WriteEntry(ref writer, update);
                }
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
                CommandType.Register => new RegisterCommand(ReadRegistration(ref reader)),
                CommandType.Deregister => ReadDeregister(ref reader),
                CommandType.Restore => ReadRestore(ref reader),
                CommandType.SessionCreate => new SessionCreateCommand(SessionCodec.Read(ref reader)),
                CommandType.SessionDestroy => new SessionDestroyCommand(reader.ReadString() ?? throw new CommandDecodeException("session destroy without an ID")),
                CommandType.SessionRenew => new SessionRenewCommand(reader.ReadString() ?? throw new CommandDecodeException("session renew without an ID")),
                CommandType.CoordinateBatchUpdate => ReadCoordinates(ref reader),
                _ => throw new CommandDecodeException($"unknown command type {(byte)type}"),
            };
            if (!reader.End)
            {
                throw new CommandDecodeException($"{type} command has trailing bytes");
            }
            return command;
        }
        // Decoding is pure: whatever a malformed entry makes the msgpack reader throw
        // (its own exceptions, end of stream, overflow, an out-of-range length) means the same.
        catch (Exception ex) when (ex is not CommandDecodeException and not OutOfMemoryException)
        {
            throw new CommandDecodeException($"malformed command: {ex.Message}", ex);
        }
    }

    private static void WriteRegistration(ref MessagePackWriter writer, CatalogRegistration registration)
    {
        writer.WriteArrayHeader(4);
        CatalogCodec.WriteNode(ref writer, registration.Node);
        if (registration.Service is null)
        {
            writer.WriteNil();
        }
        else
        {
            CatalogCodec.WriteService(ref writer, registration.Service);
        }
        writer.WriteArrayHeader(registration.Checks.Count);
        foreach (var check in registration.Checks)
        {
            CatalogCodec.WriteCheck(ref writer, check);
        }
        writer.Write(registration.SkipNodeUpdate);
    }

    private static CatalogRegistration ReadRegistration(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 4)
        {
            throw new CommandDecodeException("registration must have 4 fields");
        }
        var node = CatalogCodec.ReadNode(ref reader);
        var service = reader.TryReadNil() ? null : CatalogCodec.ReadService(ref reader);
        var checks = new HealthCheck[reader.ReadArrayHeader()];
        for (var i = 0; i < checks.Length; i++)
        {
            checks[i] = CatalogCodec.ReadCheck(ref reader);
        }
        return new CatalogRegistration(node, service, checks, reader.ReadBoolean());
    }

    private static DeregisterCommand ReadDeregister(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 3)
        {
            throw new CommandDecodeException("deregistration must have 3 fields");
        }
        var node = reader.ReadString() ?? throw new CommandDecodeException("deregistration without a node");
        return new DeregisterCommand(node, reader.ReadString(), reader.ReadString());
    }

    private static RestoreCommand ReadRestore(ref MessagePackReader reader)
    {
        var document = reader.ReadBytes() ?? throw new CommandDecodeException("restore without a state document");
        try
        {
            return new RestoreCommand(SnapshotCodec.Read(document.ToArray()));
        }
        catch (InvalidDataException ex)
        {
            throw new CommandDecodeException($"restore command: {ex.Message}", ex);
        }
    }

    private static CoordinateBatchUpdateCommand ReadCoordinates(ref MessagePackReader reader)
    {
        var updates = new CoordinateEntry[reader.ReadArrayHeader()];
        try
        {
            for (var i = 0; i < updates.Length; i++)
            {
                updates[i] = CoordinateCodec.ReadEntry(ref reader);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new CommandDecodeException($"coordinate update: {ex.Message}", ex);
        }
        return new CoordinateBatchUpdateCommand(updates);
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

    /// <summary>One transaction operation as the log stores it; the agent's RPC carries read-only transactions the same way.</summary>
    public static void WriteOperation(ref MessagePackWriter writer, TxnOperation operation)
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

    /// <summary>Reads what <see cref="WriteOperation"/> wrote; a malformed operation raises <see cref="CommandDecodeException"/> (the msgpack reader's own errors pass through).</summary>
    public static TxnOperation ReadOperation(ref MessagePackReader reader)
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
