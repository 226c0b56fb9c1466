namespace Praetor.Integration;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("praetor-it-").FullName;
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates (or finds) the subdirectory <paramref name="name"/>; returns its full path.</summary>
    public string CreateSubdirectory(string name) => Directory.CreateDirectory(Combine(name)).FullName;

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> atomically: to a sibling file first,
    /// then renamed over it, so a process reading the file at any moment sees the old or the new
    /// text, never a half-written one. The sibling's name ends in `.tmp`, which no config loader reads.
    /// </summary>
    public static void WriteAtomically(string path, string text)
    {
        var staging = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(staging, text);
        File.Move(staging, path, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A check script still running in it as the agent was killed; the temp directory is the system's to clean.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
