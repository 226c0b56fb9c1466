namespace Praetor.Agent.Cluster;

/// <summary>
/// The node ID an agent keeps in <c>&lt;data_dir&gt;/node-id</c>, as Consul does: a node ID set
/// in the configuration wins; otherwise the file's, and when there is no file a new UUID is
/// generated and written, so a restarted agent (and its Raft server id) keeps its identity.
/// </summary>
public static class NodeIdFile
{
    /// <summary>The file's name inside the data directory.</summary>
    public const string FileName = "node-id";

    /// <summary>
    /// The agent's node ID: <paramref name="configured"/> when set, else the one stored in
    /// <paramref name="dataDir"/> (created when absent); a random one when there is no data
    /// directory (<c>-dev</c>). A file that does not hold a UUID stops start-up with a message naming it.
    /// </summary>
    public static string Resolve(string configured, string? dataDir)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }
        if (string.IsNullOrEmpty(dataDir))
        {
            return Guid.NewGuid().ToString();
        }
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            if (!Guid.TryParseExact(text, "D", out _))
            {
                throw new InvalidDataException($"the node ID in {path} is not a UUID: \"{text}\"");
            }
            return text.ToLowerInvariant();
        }
        Directory.CreateDirectory(dataDir);
        var id = Guid.NewGuid().ToString();
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, id);
        File.Move(temporary, path, overwrite: true);
        return id;
    }
}
