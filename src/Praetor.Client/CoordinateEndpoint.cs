using System.Text.Json.Serialization;

namespace Praetor.Client;

/// <summary><c>/v1/coordinate</c> (Go's <c>client.Coordinate()</c>): the network coordinates of the datacenter's nodes and of every datacenter's servers.</summary>
public sealed class CoordinateEndpoint
{
    private readonly ApiTransport _transport;

    internal CoordinateEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>The LAN coordinates of the datacenter's nodes (<c>GET /v1/coordinate/nodes</c>).</summary>
    public async Task<QueryResult<IReadOnlyList<CoordinateEntry>>> NodesAsync(QueryOptions? options = null, CancellationToken ct = default)
    {
        var result = await EndpointCalls.QueryAsync(_transport, "coordinate/nodes", ApiQuery.For(options), CoordinateJsonContext.Default.ListCoordinateEntry, [], options?.Token, ct);
        return new(result.Response, result.Meta);
    }

    /// <summary>The WAN coordinates of the servers, by datacenter (<c>GET /v1/coordinate/datacenters</c>).</summary>
    public async Task<IReadOnlyList<CoordinateDatacenterMap>> DatacentersAsync(CancellationToken ct = default) =>
        (await EndpointCalls.QueryAsync(_transport, "coordinate/datacenters", new ApiQuery(), CoordinateJsonContext.Default.ListCoordinateDatacenterMap, [], null, ct)).Response;
}

/// <summary>A node's coordinate in one network segment (Go's <c>api.CoordinateEntry</c>).</summary>
public sealed record CoordinateEntry
{
    public string Node { get; init; } = string.Empty;

    public string Segment { get; init; } = string.Empty;

    public NetworkCoordinate? Coord { get; init; }
}

/// <summary>A Vivaldi coordinate as the API writes it (serf's <c>coordinate.Coordinate</c>; seconds).</summary>
public sealed record NetworkCoordinate
{
    public double[] Vec { get; init; } = [];

    public double Error { get; init; }

    public double Adjustment { get; init; }

    public double Height { get; init; }
}

/// <summary>One datacenter's servers with their WAN coordinates (Go's <c>api.CoordinateDatacenterMap</c>).</summary>
public sealed record CoordinateDatacenterMap
{
    public string Datacenter { get; init; } = string.Empty;

    [JsonPropertyName("AreaID")]
    public string AreaId { get; init; } = string.Empty;

    public List<CoordinateEntry> Coordinates { get; init; } = [];
}

/// <summary>Source-generated JSON for the coordinate bodies.</summary>
[JsonSerializable(typeof(List<CoordinateEntry>))]
[JsonSerializable(typeof(List<CoordinateDatacenterMap>))]
internal sealed partial class CoordinateJsonContext : JsonSerializerContext;
