namespace Praetor.Agent.Config;

/// <summary>
/// What <see cref="ConfigLoader"/> made of a set of config files: the settings they produce on top
/// of the baseline, the files read (in the order applied), and every problem found. When
/// <see cref="Problems"/> is not empty, <see cref="Config"/> is incomplete and must not be used.
/// </summary>
public sealed record ConfigLoadResult(AgentConfig Config, IReadOnlyList<string> Files, IReadOnlyList<ConfigProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;
}
