using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

/// <summary>The keyring operations Serf runs across the pool as internal queries.</summary>
public enum KeyringOperation
{
    List,
    Install,
    Use,
    Remove,
}

/// <summary>
/// The answers to one keyring operation across the pool (serf KeyResponse): how many members
/// there were and answered, how many reported failure, each node's message, and how many
/// nodes hold each key and use each primary key. <see cref="Error"/> is Serf's error for the
/// whole operation (null: every node answered and none failed).
/// </summary>
public sealed record KeyringResponse(
    int NumNodes,
    int NumResp,
    int NumErr,
    IReadOnlyDictionary<string, string> Messages,
    IReadOnlyDictionary<string, int> Keys,
    IReadOnlyDictionary<string, int> PrimaryKeys,
    string? Error)
{
    /// <summary>The internal query name of <paramref name="operation"/>.</summary>
    public static string QueryName(KeyringOperation operation) => operation switch
    {
        KeyringOperation.Install => InternalQueries.InstallKey,
        KeyringOperation.Use => InternalQueries.UseKey,
        KeyringOperation.Remove => InternalQueries.RemoveKey,
        _ => InternalQueries.ListKeys,
    };
}

/// <summary>
/// Adds up node answers to a keyring query as Serf's KeyManager does (streamKeyResp): an answer that
/// is not a key response, or that reports failure, counts as an error with its message; keys and
/// primary keys are counted per node. The caller stops reading once every node answered.
/// </summary>
public sealed class KeyringResponseCollector(int numNodes)
{
    private readonly Dictionary<string, string> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _primaryKeys = new(StringComparer.Ordinal);
    private int _responses, _errors;

    /// <summary>True once as many nodes answered as the pool had.</summary>
    public bool Complete => _responses >= numNodes;

    /// <summary>Counts one node's answer.</summary>
    public void Add(SerfNodeResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        _responses++;
        var payload = response.Payload ?? [];
        if (payload.Length < 1 || payload[0] != (byte)SerfMessageType.KeyResponse)
        {
            _messages[response.From] = $"Invalid key query response type: {GoBytes(payload)}";
            _errors++;
            return;
        }
        if (!SerfCodec.TryDecode<KeyResponse>(payload, out var answer, out _))
        {
            _messages[response.From] = $"Failed to decode key query response: {GoBytes(payload)}";
            _errors++;
            return;
        }
        if (!answer.Result)
        {
            _messages[response.From] = answer.Message;
            _errors++;
        }
        else if (answer.Message.Length > 0)
        {
            _messages[response.From] = answer.Message;
        }
        foreach (var key in answer.Keys ?? []) _keys[key] = _keys.GetValueOrDefault(key) + 1;
        _primaryKeys[answer.PrimaryKey] = _primaryKeys.GetValueOrDefault(answer.PrimaryKey) + 1;
    }

    /// <summary>The totals, with Serf's error when a node failed or not every node answered.</summary>
    public KeyringResponse Result()
    {
        var error = _errors != 0 ? $"{_errors}/{numNodes} nodes reported failure"
            : _responses != numNodes ? $"{_responses}/{numNodes} nodes reported success"
            : null;
        return new KeyringResponse(numNodes, _responses, _errors, _messages, _keys, _primaryKeys, error);
    }

    /// <summary>A byte slice as Go's %v prints it: <c>[1 2 3]</c>.</summary>
    private static string GoBytes(byte[] bytes) => "[" + string.Join(' ', bytes) + "]";
}
