using System.Text.Json;
using Praetor.State.Commands;

namespace Praetor.Api;

/// <summary>
/// Reads a `/v1/txn` body: a JSON array of operations, each an object with one key (`KV`).
/// Field names match case-insensitively, as Consul's decoder does. Anything malformed is a
/// 400 naming the operation; a value over the KV limit is a 413; nothing is applied.
/// </summary>
internal static class TxnRequestParser
{
    /// <summary>Most operations in one transaction (Consul's <c>maxTxnOps</c>).</summary>
    public const int OperationsMax = 64;

    public static IReadOnlyList<TxnOperation> Parse(ReadOnlyMemory<byte> body, int valueMaxBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw HttpApiException.BadRequest($"Failed to parse body: {ex.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw HttpApiException.BadRequest("Failed to parse body: expected a JSON array of operations");
            }
            var count = root.GetArrayLength();
            if (count > OperationsMax)
            {
                throw HttpApiException.TooLarge($"Transaction contains too many operations ({count} > {OperationsMax})");
            }
            var operations = new TxnOperation[count];
            var i = 0;
            foreach (var element in root.EnumerateArray())
            {
                operations[i] = ParseOperation(element, i, valueMaxBytes);
                i++;
            }
            return operations;
        }
    }

    private static KvOperation ParseOperation(JsonElement element, int index, int valueMaxBytes)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Bad(index, "expected an object");
        }
        JsonElement? kv = null;
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("KV") || property.Name.Equals("kv", StringComparison.OrdinalIgnoreCase))
            {
                kv = property.Value;
            }
            else if (property.Name is "Node" or "Service" or "Check" or "Session")
            {
                throw Bad(index, $"{property.Name} operations are not supported yet (KV only)");
            }
            else
            {
                throw Bad(index, $"unknown operation type \"{property.Name}\"");
            }
        }
        if (kv is not { ValueKind: JsonValueKind.Object } op)
        {
            throw Bad(index, "expected a KV object");
        }
        string? verbName = null, key = null, session = null;
        byte[]? value = null;
        ulong flags = 0, modifyIndex = 0;
        foreach (var field in op.EnumerateObject())
        {
            switch (field.Name.ToLowerInvariant())
            {
                case "verb":
                    verbName = String(field, index);
                    break;
                case "key":
                    key = String(field, index);
                    break;
                case "session":
                    session = String(field, index);
                    break;
                case "value":
                    value = Base64(field, index);
                    break;
                case "flags":
                    flags = UInt64(field, index);
                    break;
                case "index":
                    modifyIndex = UInt64(field, index);
                    break;
                default:
                    throw Bad(index, $"unknown KV field \"{field.Name}\"");
            }
        }
        if (verbName is null || !KvVerbs.TryParse(verbName, out var verb))
        {
            throw Bad(index, verbName is null ? "missing Verb" : $"unknown KV verb \"{verbName}\"");
        }
        key ??= "";
        if (key.Length == 0 && verb is not (KvVerb.GetTree or KvVerb.DeleteTree))
        {
            throw Bad(index, "missing Key");
        }
        if (value is not null && value.Length > valueMaxBytes)
        {
            throw HttpApiException.TooLarge($"Value for key \"{key}\" is too large ({value.Length} > {valueMaxBytes} bytes)");
        }
        return new KvOperation(verb, key, value, flags, modifyIndex, session);
    }

    private static string? String(JsonProperty field, int index) => field.Value.ValueKind switch
    {
        JsonValueKind.String => field.Value.GetString(),
        JsonValueKind.Null => null,
        _ => throw Bad(index, $"{field.Name} must be a string"),
    };

    private static byte[]? Base64(JsonProperty field, int index)
    {
        if (field.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (field.Value.ValueKind != JsonValueKind.String || !field.Value.TryGetBytesFromBase64(out var bytes))
        {
            throw Bad(index, "Value must be a base64 string");
        }
        return bytes;
    }

    private static ulong UInt64(JsonProperty field, int index)
    {
        if (field.Value.ValueKind != JsonValueKind.Number || !field.Value.TryGetUInt64(out var number))
        {
            throw Bad(index, $"{field.Name} must be an unsigned integer");
        }
        return number;
    }

    private static HttpApiException Bad(int index, string problem) =>
        HttpApiException.BadRequest($"Failed to parse body: operation {index}: {problem}");
}
