using System.Buffers.Binary;
using System.Text;

namespace Praetor.Integration;

/// <summary>
/// Just enough of RFC 1035's message format, built and read by hand, for the tests' own DNS
/// traffic: the stub recursor's replies and the malformed packets thrown at the agent. The tests
/// deliberately do not use Praetor's own codec, so a bug there cannot hide itself.
/// </summary>
public static class DnsPacket
{
    public const int HeaderLength = 12;

    public const ushort TypeA = 1;
    public const ushort TypeSrv = 33;
    public const ushort ClassIn = 1;

    public const int RcodeNoError = 0;
    public const int RcodeFormErr = 1;
    public const int RcodeServFail = 2;
    public const int RcodeNxDomain = 3;
    public const int RcodeNotImp = 4;

    /// <summary>A standard query (opcode QUERY, RD set) for <paramref name="name"/> of <paramref name="type"/>, class IN, no EDNS.</summary>
    public static byte[] Query(ushort id, string name, ushort type)
    {
        ArgumentNullException.ThrowIfNull(name);
        var question = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            question.Add((byte)bytes.Length);
            question.AddRange(bytes);
        }
        question.Add(0);
        var message = new byte[HeaderLength + question.Count + 4];
        BinaryPrimitives.WriteUInt16BigEndian(message, id);
        message[2] = 0x01; // RD
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), 1); // QDCOUNT
        question.CopyTo(message, HeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(HeaderLength + question.Count), type);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(HeaderLength + question.Count + 2), ClassIn);
        return message;
    }

    public static ushort Id(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16BigEndian(message);

    public static bool IsResponse(ReadOnlySpan<byte> message) => (message[2] & 0x80) != 0;

    public static int Opcode(ReadOnlySpan<byte> message) => (message[2] >> 3) & 0x0F;

    public static int Rcode(ReadOnlySpan<byte> message) => message[3] & 0x0F;

    /// <summary>
    /// Reads the first question of a query whose name is plain labels (no compression): its name in
    /// lower case with a final dot, its type, and where the question ends. False for anything else.
    /// </summary>
    public static bool TryReadQuestion(ReadOnlySpan<byte> message, out string name, out ushort type, out int end)
    {
        name = "";
        type = 0;
        end = 0;
        if (message.Length < HeaderLength || BinaryPrimitives.ReadUInt16BigEndian(message[4..]) < 1)
        {
            return false;
        }
        var builder = new StringBuilder();
        var at = HeaderLength;
        while (true)
        {
            if (at >= message.Length)
            {
                return false;
            }
            int length = message[at];
            if (length == 0)
            {
                at++;
                break;
            }
            if (length > 63 || at + 1 + length > message.Length)
            {
                return false;
            }
            builder.Append(Encoding.ASCII.GetString(message.Slice(at + 1, length)).ToLowerInvariant()).Append('.');
            at += 1 + length;
        }
        if (at + 4 > message.Length)
        {
            return false;
        }
        name = builder.Length == 0 ? "." : builder.ToString();
        type = BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
        end = at + 4;
        return true;
    }

    /// <summary>Prefixes <paramref name="message"/> with its 2-byte length, as DNS over TCP frames it (RFC 1035 4.2.2).</summary>
    public static byte[] TcpFrame(ReadOnlySpan<byte> message)
    {
        var framed = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed.AsSpan(2));
        return framed;
    }
}
