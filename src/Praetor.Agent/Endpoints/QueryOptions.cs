namespace Praetor.Agent.Endpoints;

/// <summary>
/// How a read is to be answered: <paramref name="MinIndex"/> &gt; 0 makes it a blocking query
/// that waits up to <paramref name="Wait"/> (zero = the agent's default) for the result's index
/// to pass <paramref name="MinIndex"/>.
/// </summary>
public readonly record struct QueryOptions(ulong MinIndex = 0, TimeSpan Wait = default, ConsistencyMode Consistency = ConsistencyMode.Default);

/// <summary>What a read's answer says about itself: Consul's X-Consul-Index, -KnownLeader and -LastContact.</summary>
public readonly record struct QueryMeta(ulong Index, bool KnownLeader, TimeSpan LastContact, ConsistencyMode Consistency);

/// <summary>A read's answer and its meta.</summary>
public readonly record struct QueryResult<T>(T Value, QueryMeta Meta);
