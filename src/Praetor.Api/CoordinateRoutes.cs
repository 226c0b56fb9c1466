using System.Text.Json;
using Praetor.Agent.Endpoints;
using Praetor.Gossip.Serf;
using Praetor.State.Coordinates;

namespace Praetor.Api;

/// <summary>
/// `/v1/coordinate/*`: datacenters, nodes, node/:node, update; and `?near=` sorting of catalog and
/// health results by estimated round trip time (<see cref="SortByDistanceAsync{T}"/>).
/// </summary>
internal static class CoordinateRoutes
{
    /// <summary>The `near` value that names the agent answering.</summary>
    public const string AgentNode = "_agent";

    public static void Map(WebApplication app, Agent.Agent agent)
    {
        app.MapGet("/v1/coordinate/datacenters", async context =>
        {
            var maps = await agent.Coordinate.ListDatacentersAsync(context.RequestAborted);
            await ResponseWriter.JsonAsync(context, maps, static (w, maps) =>
            {
                w.WriteStartArray();
                foreach (var map in maps)
                {
                    w.WriteStartObject();
                    w.WriteString("Datacenter"u8, map.Datacenter);
                    w.WriteString("AreaID"u8, map.AreaId);
                    w.WritePropertyName("Coordinates"u8);
                    WriteEntries(w, map.Coordinates);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        });
        app.MapGet("/v1/coordinate/nodes", async context =>
        {
            var result = await agent.Coordinate.ListNodesAsync(QueryParameters.Options(context.Request), context.RequestAborted);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            await ResponseWriter.JsonAsync(context, InSegment(result.Value, context.Request), WriteEntries);
        });
        app.MapGet("/v1/coordinate/node/{node}", async context =>
        {
            var node = (string)context.Request.RouteValues["node"]!;
            var result = await agent.Coordinate.NodeAsync(node, QueryParameters.Options(context.Request), context.RequestAborted);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            var entries = InSegment(result.Value, context.Request);
            if (entries.Count == 0)
            {
                // Consul answers a node without coordinates with an empty 404.
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await ResponseWriter.JsonAsync(context, entries, WriteEntries);
        });
        app.MapPut("/v1/coordinate/update", async context =>
        {
            var body = await RequestBody.ReadAsync(context.Request, agent.Config.TxnMaxRequestBytes, context.RequestAborted);
            using var document = JsonBody.Parse(body);
            var update = ReadUpdate(new JsonBody(document.RootElement, ""));
            await agent.Coordinate.UpdateAsync(update, context.RequestAborted);
        });
    }

    /// <summary>`?segment=`: only that segment's coordinates (all without it).</summary>
    private static IReadOnlyList<CoordinateEntry> InSegment(IReadOnlyList<CoordinateEntry> entries, HttpRequest request) =>
        QueryParameters.Get(request, "segment") is { } segment ? [.. entries.Where(e => e.Segment == segment)] : entries;

    /// <summary>
    /// The body of `PUT /v1/coordinate/update`: <c>{Node, Segment, Coord: {Vec, Error, Adjustment, Height}}</c>.
    /// A missing node or coordinate, or a field of the wrong type, is a 400 naming it; the
    /// endpoint then checks the node, the dimensionality and that every value is finite.
    /// </summary>
    public static CoordinateEntry ReadUpdate(JsonBody body)
    {
        var node = body.String("Node");
        if (node.Length == 0)
        {
            throw HttpApiException.BadRequest("Missing node name: the body needs \"Node\"");
        }
        var coord = body.Object("Coord") ?? throw HttpApiException.BadRequest("Missing coordinate: the body needs \"Coord\"");
        if (!coord.TryGet("Vec", out var vecElement) || vecElement.ValueKind != JsonValueKind.Array)
        {
            throw HttpApiException.BadRequest("Coord.Vec must be an array of numbers");
        }
        var vec = new double[vecElement.GetArrayLength()];
        var i = 0;
        foreach (var component in vecElement.EnumerateArray())
        {
            vec[i++] = component.ValueKind == JsonValueKind.Number && component.TryGetDouble(out var value)
                ? value
                : throw HttpApiException.BadRequest($"Coord.Vec[{i - 1}] must be a finite number");
        }
        return new CoordinateEntry(node, body.String("Segment"), new Coordinate(vec, Number(coord, "Error"), Number(coord, "Adjustment"), Number(coord, "Height")));
    }

    private static double Number(JsonBody coord, string name)
    {
        if (!coord.TryGet(name, out var element))
        {
            return 0;
        }
        return element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var value)
            ? value
            : throw HttpApiException.BadRequest($"Coord.{name} must be a finite number");
    }

    /// <summary>Consul's structs.Coordinate list: <c>[{Node, Segment, Coord: {Vec, Error, Adjustment, Height}}]</c>.</summary>
    private static void WriteEntries(Utf8JsonWriter w, IReadOnlyList<CoordinateEntry> entries)
    {
        w.WriteStartArray();
        foreach (var entry in entries)
        {
            w.WriteStartObject();
            w.WriteString("Node"u8, entry.Node);
            w.WriteString("Segment"u8, entry.Segment);
            w.WriteStartObject("Coord"u8);
            w.WriteStartArray("Vec"u8);
            foreach (var component in entry.Coord.Vec)
            {
                w.WriteNumberValue(component);
            }
            w.WriteEndArray();
            w.WriteNumber("Error"u8, entry.Coord.Error);
            w.WriteNumber("Adjustment"u8, entry.Coord.Adjustment);
            w.WriteNumber("Height"u8, entry.Coord.Height);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// Consul's `?near=` (sortNodesByDistanceFrom): without it, <paramref name="items"/> as they
    /// are; with it (<c>_agent</c> is the agent answering), ordered by the estimated round trip
    /// time from that node's coordinate to each item's node, nearest first, nodes without a
    /// coordinate last (in their original order). When the source node has no coordinate,
    /// nothing is sorted, as in Consul.
    /// </summary>
    public static async Task<IReadOnlyList<T>> SortByDistanceAsync<T>(HttpContext context, Agent.Agent agent, IReadOnlyList<T> items, Func<T, string> nodeOf)
    {
        var near = QueryParameters.Get(context.Request, "near");
        if (string.IsNullOrEmpty(near) || items.Count < 2)
        {
            return items;
        }
        if (near == AgentNode)
        {
            near = agent.Config.NodeName;
        }
        // A stale read is enough for ordering, and spares the leader.
        var coordinates = (await agent.Coordinate.ListNodesAsync(new QueryOptions(Consistency: ConsistencyMode.Stale), context.RequestAborted)).Value
            .Where(e => e.Segment.Length == 0)
            .ToDictionary(e => e.Node, e => e.Coord, StringComparer.OrdinalIgnoreCase);
        if (!coordinates.TryGetValue(near, out var source))
        {
            return items;
        }
        double Distance(T item) =>
            coordinates.TryGetValue(nodeOf(item), out var coordinate) && coordinate.IsCompatibleWith(source) ? source.DistanceTo(coordinate) : double.PositiveInfinity;
        return [.. items.Select((item, index) => (item, index, distance: Distance(item))).OrderBy(x => x.distance).ThenBy(x => x.index).Select(x => x.item)];
    }
}
