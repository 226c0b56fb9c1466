using MessagePack;
using Praetor.State.Kv;

namespace Praetor.State.Commands;

/// <summary>
/// The state machine's response to an applied command (what <see cref="StateMachine.Apply"/>
/// returns) in msgpack, for a write forwarded to the leader: nil; a string (a catalog refusal);
/// or a <see cref="TxnResult"/> as <c>["txn", [entries], [[op index, what]]]</c>, each entry as
/// <see cref="KvCodec"/> writes it. Reading checks every
/// field; anything else raises <see cref="InvalidDataException"/>.
/// </summary>
public static class ApplyResponseCodec
{
    private const string TxnTag = "txn";

    /// <summary>Writes <paramref name="response"/>; <see cref="ArgumentException"/> for a type the state machine never returns.</summary>
    public static void Write(ref MessagePackWriter writer, object? response)
    {
        switch (response)
        {
            case null:
                writer.WriteNil();
                break;
            case string text:
                writer.Write(text);
                break;
            case TxnResult txn:
                writer.WriteArrayHeader(3);
                writer.Write(TxnTag);
                writer.WriteArrayHeader(txn.Results.Count);
                foreach (var entry in txn.Results)
                {
                    KvCodec.WriteEntry(ref writer, entry);
                }
                writer.WriteArrayHeader(txn.Errors.Count);
                foreach (var error in txn.Errors)
                {
                    writer.WriteArrayHeader(2);
                    writer.Write(error.OpIndex);
                    writer.Write(error.What);
                }
                break;
            default:
                throw new ArgumentException($"no wire form for a response of type {response.GetType().Name}", nameof(response));
        }
    }

    /// <summary>Reads a response written by <see cref="Write"/>.</summary>
    public static object? Read(ref MessagePackReader reader)
    {
        try
        {
            if (reader.TryReadNil())
            {
                return null;
            }
            if (reader.NextMessagePackType == MessagePackType.String)
            {
                return reader.ReadString();
            }
            if (reader.ReadArrayHeader() != 3 || reader.ReadString() != TxnTag)
            {
                throw new InvalidDataException("not a transaction result");
            }
            var results = new KvEntry[reader.ReadArrayHeader()];
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = KvCodec.ReadEntry(ref reader);
            }
            var errors = new TxnError[reader.ReadArrayHeader()];
            for (var i = 0; i < errors.Length; i++)
            {
                if (reader.ReadArrayHeader() != 2)
                {
                    throw new InvalidDataException("a transaction error is [op index, what]");
                }
                errors[i] = new TxnError(reader.ReadInt32(), reader.ReadString() ?? "");
            }
            return new TxnResult(results, errors);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"malformed apply response: {ex.Message}", ex);
        }
    }
}
