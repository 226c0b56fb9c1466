using System.Text.Json;
using System.Text.Json.Serialization;
using Praetor.Gossip.Memberlist.Wire;

namespace Praetor.Gossip;

/// <summary>
/// The keyring file of Serf and Consul (<c>serf/local.keyring</c>): a JSON array of base64 keys,
/// primary first, indented by two spaces, readable by its owner only. Written atomically (a
/// temporary file beside it, then renamed over it), so a crash never leaves half a keyring.
/// </summary>
public static class KeyringFile
{

    /// <summary>Writes <paramref name="keyring"/> to <paramref name="path"/>; null on success, else Serf's message.</summary>
    public static string? Write(string path, Keyring keyring)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(keyring);
        var keys = new string[keyring.Count];
        var i = 0;
        foreach (var key in keyring.Keys) keys[i++] = Convert.ToBase64String(key);
        var json = JsonSerializer.SerializeToUtf8Bytes(keys, KeyringFileJson.Default.StringArray);
        var temporary = path + ".tmp";
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null) Directory.CreateDirectory(directory);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var file = new FileStream(temporary, options))
            {
                file.Write(json);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            return $"Failed to write keyring file: {e.Message}";
        }
    }

    /// <summary>
    /// Reads the keyring at <paramref name="path"/> (Serf's loadKeyringFile): the first key is the
    /// primary. Null when there is no file; <see cref="GossipException"/> naming the file when it
    /// cannot be read, is not a JSON array of base64 strings, holds a key of a wrong length, or none.
    /// </summary>
    public static Keyring? Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) return null;
        string[]? encoded;
        try
        {
            encoded = JsonSerializer.Deserialize(File.ReadAllBytes(path), KeyringFileJson.Default.StringArray);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new GossipException($"cannot read keyring file {path}: {e.Message}");
        }
        if (encoded is null || encoded.Length == 0) throw new GossipException($"keyring file {path} holds no keys");
        var keys = new List<byte[]>(encoded.Length);
        foreach (var text in encoded)
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(text ?? "");
            }
            catch (FormatException)
            {
                throw new GossipException($"keyring file {path}: a key is not valid base64");
            }
            if (!Keyring.IsValidKeyLength(key.Length)) throw new GossipException($"keyring file {path}: key size must be 16, 24 or 32 bytes");
            keys.Add(key);
        }
        return new Keyring(keys[0], keys.Skip(1));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stale temporary file is overwritten by the next write.
        }
    }
}

/// <summary>The keyring file's JSON (an array of strings, indented by two spaces), generated at build time.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, IndentSize = 2)]
[JsonSerializable(typeof(string[]))]
internal sealed partial class KeyringFileJson : JsonSerializerContext;
