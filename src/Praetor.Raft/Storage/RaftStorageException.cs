namespace Praetor.Raft.Storage;

/// <summary>
/// The stored Raft state is damaged in a way that recovery must not paper over (a bad checksum
/// before the end of the log, a gap in the indexes, a bad stable-state or snapshot file): the
/// message names the file and the offset. Start-up stops rather than drop acknowledged data.
/// </summary>
public sealed class RaftStorageException : IOException
{
    /// <summary>A problem with <paramref name="path"/>.</summary>
    public RaftStorageException(string path, string problem)
        : base($"{path}: {problem}")
    {
        Path = path;
    }

    /// <summary>The damaged file or directory.</summary>
    public string Path { get; }
}
