namespace Praetor.State.Watch;

/// <summary>The keys and subtrees of one table that an applied entry changed, to fire the right watches after it is published.</summary>
public sealed class KeyChanges
{
    private readonly List<(string Key, bool IsTree)> _changes = [];

    public int Count => _changes.Count;

    public void Key(string key) => _changes.Add((key, false));

    public void Tree(string prefix) => _changes.Add((prefix, true));

    public void Clear() => _changes.Clear();

    internal void Notify(KeyWatchRegistry watches)
    {
        foreach (var (key, isTree) in _changes)
        {
            if (isTree)
            {
                watches.TreeChanged(key);
            }
            else
            {
                watches.KeyChanged(key);
            }
        }
    }
}
