namespace Praetor.Agent.Checks;

/// <summary>The outcome of one run of a check: the status and output to report.</summary>
public readonly record struct CheckResult(string Status, string Output);
