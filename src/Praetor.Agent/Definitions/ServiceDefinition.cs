namespace Praetor.Agent.Definitions;

/// <summary>
/// A service as a user defines it, in a config file (`service`/`services`) or through
/// `/v1/agent/service/register`: Consul's ServiceDefinition.
/// </summary>
public sealed record ServiceDefinition
{
    /// <summary>Defaults to <see cref="Name"/>.</summary>
    public string Id { get; init; } = "";

    public required string Name { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public string Address { get; init; } = "";

    public int Port { get; init; }

    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();

    public int WeightPassing { get; init; } = 1;

    public int WeightWarning { get; init; } = 1;

    public bool EnableTagOverride { get; init; }

    /// <summary>The service's checks (`check` and `checks` together).</summary>
    public IReadOnlyList<CheckDefinition> Checks { get; init; } = [];

    public string EffectiveId => Id.Length > 0 ? Id : Name;
}
