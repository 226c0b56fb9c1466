namespace Praetor.Agent.Config;

/// <summary>
/// One thing wrong with the agent's configuration: the file (or other source) it is in, the key
/// path inside it (<c>services[0].check.interval</c>; empty for a problem with the whole file), and
/// what is wrong.
/// </summary>
public sealed record ConfigProblem(string Source, string KeyPath, string Message)
{
    /// <summary><c>config/web.json: services[0].check.interval: invalid duration "10x"</c>.</summary>
    public override string ToString() =>
        KeyPath.Length == 0 ? $"{Source}: {Message}" : $"{Source}: {KeyPath}: {Message}";
}
