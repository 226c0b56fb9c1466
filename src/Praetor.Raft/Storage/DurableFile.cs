namespace Praetor.Raft.Storage;

/// <summary>Whole-file writes that survive a crash: either the old content or the new one is found afterwards.</summary>
internal static class DurableFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> and fsyncs it (unless <paramref name="fsync"/> is false), without the rename.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool fsync)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        stream.Write(bytes);
        if (fsync) stream.Flush(flushToDisk: true);
    }

    /// <summary>Replaces <paramref name="path"/> atomically: a temporary file, fsync, rename over, fsync of the directory.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes, bool fsync)
    {
        var temporary = path + ".tmp";
        Write(temporary, bytes, fsync);
        File.Move(temporary, path, overwrite: true);
        if (fsync) DirectorySync.Flush(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
    }
}
