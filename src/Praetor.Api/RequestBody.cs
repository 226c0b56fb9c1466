using System.Buffers;
using System.Globalization;

namespace Praetor.Api;

/// <summary>Reads request bodies with a size limit, refusing an oversized one with Consul's 413 before reading it whole.</summary>
internal static class RequestBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > maxBytes)
        {
            throw TooLarge(declared.Value.ToString(CultureInfo.InvariantCulture), maxBytes);
        }
        if (declared is { } length)
        {
            // Kestrel frames the body by Content-Length: read exactly that much into its own
            // array, with no extra read to see the end and no copy.
            var exact = new byte[length];
            await request.Body.ReadExactlyAsync(exact, cancellationToken);
            return exact;
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                throw TooLarge("more than " + maxBytes.ToString(CultureInfo.InvariantCulture), maxBytes);
            }
        }
    }

    private static HttpApiException TooLarge(string size, int maxBytes) =>
        HttpApiException.TooLarge($"Request body({size} bytes) too large, max size: {maxBytes} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.");
}
