using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

namespace Praetor.Cli.Kv;

/// <summary>Standard base64 decoding as Go's <c>base64.StdEncoding</c>: line breaks are ignored
/// (so <c>echo Zm9v | praetor kv put -base64 k -</c> works), errors read <c>illegal base64 data at input byte N</c>.</summary>
public static class Base64Text
{
    public static bool TryDecode(byte[] text, [NotNullWhen(true)] out byte[]? decoded, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().ContainsAny((byte)'\r', (byte)'\n'))
        {
            var kept = new List<byte>(text.Length);
            foreach (var b in text)
            {
                if (b is not ((byte)'\r' or (byte)'\n'))
                {
                    kept.Add(b);
                }
            }

            text = [.. kept];
        }

        var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
        var status = Base64.DecodeFromUtf8(text, buffer, out var consumed, out var written);
        if (status == System.Buffers.OperationStatus.Done)
        {
            decoded = buffer[..written];
            error = null;
            return true;
        }

        decoded = null;
        error = $"illegal base64 data at input byte {consumed}";
        return false;
    }
}
