using System.Text.Json;

namespace Praetor.Client.Watch;

/// <summary>
/// What one watch observes, as Consul's <c>api/watch</c> plan: the type (<see cref="Types"/>) and
/// its parameters, read from a JSON object of parameters by Consul's rules and messages
/// (<see cref="Parse"/>). <see cref="WatchRunner"/> runs it.
/// </summary>
public sealed record WatchPlan
{
    /// <summary>The watch types there are, each a blocking query on one endpoint.</summary>
    public static readonly IReadOnlyList<string> Types = ["key", "keyprefix", "services", "nodes", "service", "checks", "event"];

    /// <summary><c>key</c>, <c>keyprefix</c>, <c>services</c>, <c>nodes</c>, <c>service</c>, <c>checks</c> or <c>event</c>.</summary>
    public required string Type { get; init; }

    /// <summary><c>datacenter</c>: sent as <c>?dc=</c>; empty for the agent's own.</summary>
    public string Datacenter { get; init; } = "";

    /// <summary><c>token</c>: sent as <c>X-Consul-Token</c>; empty for the client's own.</summary>
    public string Token { get; init; } = "";

    /// <summary><c>stale</c>: any server may answer (not for <c>event</c>).</summary>
    public bool Stale { get; init; }

    /// <summary><c>key</c>: the key of a <c>key</c> watch.</summary>
    public string Key { get; init; } = "";

    /// <summary><c>prefix</c>: the prefix of a <c>keyprefix</c> watch.</summary>
    public string Prefix { get; init; } = "";

    /// <summary><c>service</c>: the service of a <c>service</c> watch, or of a <c>checks</c> watch.</summary>
    public string Service { get; init; } = "";

    /// <summary><c>tag</c>: a <c>service</c> watch's instances must carry every one.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary><c>passingonly</c>: a <c>service</c> watch sees only instances whose checks all pass.</summary>
    public bool PassingOnly { get; init; }

    /// <summary><c>state</c>: a <c>checks</c> watch's state (<c>any</c> when neither it nor <see cref="Service"/> is given).</summary>
    public string State { get; init; } = "";

    /// <summary><c>name</c>: an <c>event</c> watch sees only events of this name.</summary>
    public string Name { get; init; } = "";

    /// <summary>
    /// Reads a plan from a JSON object of parameters, as Consul's <c>watch.ParseExempt</c>: the
    /// generic ones (<c>type</c>, <c>datacenter</c>, <c>token</c>), then the type's own; every
    /// other member is an error ("Invalid parameters: [...]") unless named in
    /// <paramref name="exempt"/> (an agent's handler settings, which the caller reads). Names match
    /// case-insensitively.
    /// </summary>
    /// <exception cref="WatchPlanException">A parameter is missing, of the wrong kind, conflicting or unknown.</exception>
    public static WatchPlan Parse(JsonElement parameters, IReadOnlyCollection<string>? exempt = null)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            throw new WatchPlanException(null, "Watch parameters must be an object");
        }

        var reader = new Parameters(parameters, exempt);
        var type = reader.String("type");
        var datacenter = reader.String("datacenter");
        var token = reader.String("token");
        if (type.Length == 0)
        {
            throw new WatchPlanException("type", "Watch type must be specified");
        }

        var plan = new WatchPlan { Type = type, Datacenter = datacenter, Token = token };
        plan = type switch
        {
            "key" => plan with { Stale = reader.Bool("stale"), Key = reader.Required("key", "Must specify a single key to watch") },
            "keyprefix" => plan with { Stale = reader.Bool("stale"), Prefix = reader.Required("prefix", "Must specify a single prefix to watch") },
            "services" or "nodes" => plan with { Stale = reader.Bool("stale") },
            "service" => plan with
            {
                Stale = reader.Bool("stale"),
                Service = reader.Required("service", "Must specify a single service to watch"),
                Tags = reader.StringList("tag"),
                PassingOnly = reader.Bool("passingonly"),
            },
            "checks" => Checks(plan with { Stale = reader.Bool("stale") }, reader),
            "event" => plan with { Name = reader.String("name") },
            _ => throw new WatchPlanException("type", $"Unsupported watch type: {type}"),
        };
        reader.EnsureAllRead();
        return plan;
    }

    private static WatchPlan Checks(WatchPlan plan, Parameters reader)
    {
        var service = reader.String("service");
        var state = reader.String("state");
        if (service.Length > 0 && state.Length > 0)
        {
            throw new WatchPlanException("state", "Cannot specify service and state");
        }

        return plan with { Service = service, State = service.Length == 0 && state.Length == 0 ? "any" : state };
    }

    /// <summary>The parameters not read yet, by lower-cased name (a later duplicate wins, as Go's decoder; a null is not set).</summary>
    private sealed class Parameters
    {
        private readonly Dictionary<string, (string Name, JsonElement Value)> _left = new(StringComparer.Ordinal);

        public Parameters(JsonElement parameters, IReadOnlyCollection<string>? exempt)
        {
            foreach (var member in parameters.EnumerateObject())
            {
                var key = member.Name.ToLowerInvariant();
                if (member.Value.ValueKind != JsonValueKind.Null && (exempt is null || !exempt.Contains(key)))
                {
                    _left[key] = (member.Name, member.Value);
                }
            }
        }

        public string String(string name)
        {
            if (!_left.Remove(name, out var found))
            {
                return "";
            }

            return found.Value.ValueKind == JsonValueKind.String
                ? found.Value.GetString()!
                : throw new WatchPlanException(found.Name, $"Expecting {name} to be a string");
        }

        public string Required(string name, string missing)
        {
            var value = String(name);
            return value.Length > 0 ? value : throw new WatchPlanException(name, missing);
        }

        public bool Bool(string name)
        {
            if (!_left.Remove(name, out var found))
            {
                return false;
            }

            return found.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new WatchPlanException(found.Name, $"Expecting {name} to be a boolean"),
            };
        }

        /// <summary>A string or a list of strings.</summary>
        public IReadOnlyList<string> StringList(string name)
        {
            if (!_left.Remove(name, out var found))
            {
                return [];
            }

            switch (found.Value.ValueKind)
            {
                case JsonValueKind.String:
                    return [found.Value.GetString()!];
                case JsonValueKind.Array:
                    var list = new List<string>();
                    var index = 0;
                    foreach (var item in found.Value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                        {
                            throw new WatchPlanException($"{found.Name}[{index}]", $"Index {index} of {name} expected to be string");
                        }

                        list.Add(item.GetString()!);
                        index++;
                    }

                    return list;
                default:
                    throw new WatchPlanException(found.Name, $"Expecting {name} to be a string or []string");
            }
        }

        public void EnsureAllRead()
        {
            if (_left.Count == 0)
            {
                return;
            }

            var names = _left.Values.Select(v => v.Name).Order(StringComparer.Ordinal).ToList();
            throw new WatchPlanException(names.Count == 1 ? names[0] : null, $"Invalid parameters: [{string.Join(' ', names)}]");
        }
    }
}
