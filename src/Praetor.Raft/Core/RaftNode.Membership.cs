namespace Praetor.Raft.Core;

/// <summary>
/// Single-server membership changes (Raft thesis §4.1): each change is a log entry that takes
/// effect on every server as soon as it is appended to its log (committed or not), and a leader
/// starts a change only once the previous one is committed and it has committed an entry of its
/// own term. A truncated change is undone.
/// </summary>
public sealed partial class RaftNode
{
    private readonly List<(ulong Index, Configuration Configuration)> _configurationHistory = [];
    private Configuration _baseConfiguration;
    private ulong _baseConfigurationIndex;
    private ulong _pendingConfigIndex;

    /// <summary>The latest configuration in the log (the one in effect).</summary>
    public Configuration Configuration => _configurationHistory.Count > 0 ? _configurationHistory[^1].Configuration : _baseConfiguration;

    private ulong LatestConfigurationIndex => _configurationHistory.Count > 0 ? _configurationHistory[^1].Index : _baseConfigurationIndex;

    /// <summary>The configuration in effect at <paramref name="index"/> (for a snapshot taken there); at or above the last snapshot.</summary>
    public Configuration ConfigurationAt(ulong index)
    {
        if (index < _baseConfigurationIndex) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is below the last snapshot at {_baseConfigurationIndex}");
        for (var i = _configurationHistory.Count - 1; i >= 0; i--)
        {
            if (_configurationHistory[i].Index <= index) return _configurationHistory[i].Configuration;
        }
        return _baseConfiguration;
    }

    /// <summary>
    /// Proposes one membership change. False with a reason when this server is not the leader,
    /// leadership is being handed over, a previous change is not committed yet, the leader has not
    /// committed an entry of its term, or the change does not apply to the current configuration.
    /// </summary>
    public bool TryProposeConfigChange(ConfigChange change, out ulong index, out string problem)
    {
        index = 0;
        if (Role != RaftRole.Leader || _leadershipTransferee != 0) { problem = "not the leader"; return false; }
        if (_pendingConfigIndex > _log.Committed) { problem = $"the configuration change at index {_pendingConfigIndex} is not committed yet"; return false; }
        if (!CommittedInTerm) { problem = "the leader has not committed an entry of its term yet"; return false; }
        if (change.Context.Length > ConfigChange.ContextBytesMax) { problem = $"context of {change.Context.Length} bytes exceeds {ConfigChange.ContextBytesMax}"; return false; }
        if (!Configuration.TryApply(change, out _, out problem)) return false;
        index = AppendLocal(LogEntryType.ConfigChange, change.Encode());
        _pendingConfigIndex = index;
        return true;
    }

    /// <summary>
    /// The host has taken a snapshot at <paramref name="index"/> and compacted its storage up to
    /// it: the core forgets the configuration history the snapshot now covers.
    /// </summary>
    public void SnapshotTaken(ulong index)
    {
        if (index > _log.Applied) throw new InvalidOperationException($"snapshot at {index} is beyond the applied index {_log.Applied}");
        if (index <= _baseConfigurationIndex) return;
        _baseConfiguration = ConfigurationAt(index);
        _baseConfigurationIndex = index;
        _configurationHistory.RemoveAll(c => c.Index <= index);
    }

    private void ReplayConfigurationChanges()
    {
        for (var low = _storage.SnapshotIndex + 1; low <= _storage.LastIndex;)
        {
            var batch = _storage.Entries(low, _storage.LastIndex + 1, _options.ApplyBatchBytesMax);
            OnAppended(batch);
            low += (ulong)batch.Count;
        }
    }

    /// <summary>Follows the log: a suffix replaced from the batch's first index undoes the changes in it; each change appended takes effect.</summary>
    private void OnAppended(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0) return;
        var first = entries[0].Index;
        var before = Configuration;
        _configurationHistory.RemoveAll(c => c.Index >= first);
        foreach (var entry in entries)
        {
            if (entry.Type != LogEntryType.ConfigChange) continue;
            // A change that does not decode or apply is skipped, the same way on every server
            // (the leader checked it when proposing; the entry is the same everywhere).
            if (ConfigChange.TryDecode(entry.Command, out var change, out _) && Configuration.TryApply(change, out var next, out _))
            {
                _configurationHistory.Add((entry.Index, next));
            }
        }
        var after = Configuration;
        if (Role != RaftRole.Leader || ReferenceEquals(before, after)) return;
        foreach (var member in after.Voters.Concat(after.NonVoters)) AddProgress(member);
        foreach (var id in _progress.Keys.ToList())
        {
            if (!after.Contains(id) && id != Id) _progress.Remove(id);
        }
    }
}
