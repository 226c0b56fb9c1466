namespace Praetor.Simulation.Linearizability;

/// <summary>What a KV operation does.</summary>
public enum KvOperationKind : byte
{
    /// <summary>Reads a key (its output is the value, or null when absent).</summary>
    Get,

    /// <summary>Writes a value.</summary>
    Put,

    /// <summary>Writes a value only if the key holds the expected one (null: absent); its output says whether it did.</summary>
    Cas,
}

/// <summary>
/// One client operation of a history: invoked at <see cref="Call"/> and answered at
/// <see cref="Return"/>, times on one clock. An operation that never returned (its client gave up
/// or crashed) has <see cref="Return"/> = <see cref="long.MaxValue"/> and <see cref="Known"/> false:
/// it may or may not have taken effect, at any point after its call (Porcupine's treatment).
/// </summary>
public sealed record KvOperation(int Client, KvOperationKind Kind, string Key, string? Value, string? Expected, long Call, long Return)
{
    /// <summary>The value a get returned (null: absent).</summary>
    public string? Read { get; init; }

    /// <summary>Whether a cas took effect.</summary>
    public bool Swapped { get; init; }

    /// <summary>Whether the operation returned, so its output is known.</summary>
    public bool Known => Return != long.MaxValue;

    /// <summary>A get of <paramref name="key"/> that returned <paramref name="read"/>.</summary>
    public static KvOperation Get(int client, string key, string? read, long call, long @return) =>
        new(client, KvOperationKind.Get, key, null, null, call, @return) { Read = read };

    /// <summary>A put; <paramref name="return"/> <see cref="long.MaxValue"/> when it never returned.</summary>
    public static KvOperation Put(int client, string key, string value, long call, long @return) =>
        new(client, KvOperationKind.Put, key, value, null, call, @return);

    /// <summary>A cas from <paramref name="expected"/> to <paramref name="value"/> that <paramref name="swapped"/> or not.</summary>
    public static KvOperation Cas(int client, string key, string? expected, string value, bool swapped, long call, long @return) =>
        new(client, KvOperationKind.Cas, key, value, expected, call, @return) { Swapped = swapped };

    /// <summary>
    /// The sequential specification of one key: whether this operation, applied to a key holding
    /// <paramref name="state"/>, could have produced its output, and the key's value after it.
    /// </summary>
    public bool Step(string? state, out string? next)
    {
        next = state;
        switch (Kind)
        {
            case KvOperationKind.Get:
                return !Known || Read == state;
            case KvOperationKind.Put:
                next = Value;
                return true;
            default:
                var matches = Expected == state;
                if (matches && (Swapped || !Known)) next = Value;
                return !Known || Swapped == matches;
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var output = !Known ? "?" : Kind switch
        {
            KvOperationKind.Get => Read ?? "nil",
            KvOperationKind.Cas => Swapped ? "ok" : "failed",
            _ => "ok",
        };
        var input = Kind switch
        {
            KvOperationKind.Get => Key,
            KvOperationKind.Put => $"{Key}={Value}",
            _ => $"{Key}:{Expected ?? "nil"}->{Value}",
        };
        return $"c{Client} {Kind.ToString().ToLowerInvariant()}({input}) -> {output} [{Call}, {(Known ? Return.ToString(System.Globalization.CultureInfo.InvariantCulture) : "inf")}]";
    }
}
