using Praetor.Gossip.Serf;

namespace Praetor.Agent.Gossip;

/// <summary>
/// One gossip pool's answer to a keyring operation, as Consul's <c>structs.KeyringResponse</c>:
/// which pool (WAN, or the LAN of <see cref="Datacenter"/> and <see cref="Segment"/>) and Serf's totals.
/// </summary>
public sealed record KeyringPoolResponse(bool Wan, string Datacenter, string Segment, KeyringResponse Response)
{
    /// <summary>The pool as Consul names it in messages: <c>WAN</c> or <c>dc1 (LAN)</c>, with the segment when there is one.</summary>
    public string PoolName => (Wan ? "WAN" : $"{Datacenter} (LAN)") + (Segment.Length > 0 ? $" [segment: {Segment}]" : "");

    /// <summary>
    /// Consul's keyringErrorsOrNil: for every pool with an error, "&lt;pool&gt; error: &lt;error&gt;" and
    /// one "&lt;node&gt;: &lt;message&gt;" per node message, as go-multierror prints a list (nodes in
    /// name order); null when no pool reported an error.
    /// </summary>
    public static string? ErrorsOrNull(IReadOnlyList<KeyringPoolResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var errors = new List<string>();
        foreach (var pool in responses)
        {
            if (pool.Response.Error is null) continue;
            errors.Add($"{pool.PoolName} error: {pool.Response.Error}");
            foreach (var (node, message) in pool.Response.Messages.OrderBy(m => m.Key, StringComparer.Ordinal)) errors.Add($"{node}: {message}");
        }
        return errors.Count switch
        {
            0 => null,
            1 => $"1 error occurred:\n\t* {errors[0]}\n\n",
            _ => $"{errors.Count} errors occurred:\n\t{string.Join("\n\t", errors.Select(e => "* " + e))}\n\n",
        };
    }
}
