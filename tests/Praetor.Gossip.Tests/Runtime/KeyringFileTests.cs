using Praetor.Gossip.Memberlist.Wire;

namespace Praetor.Gossip.Tests.Runtime;

public sealed class KeyringFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("praetor-keyring-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_file_is_serfs_indented_json_array_primary_first_owner_only_and_reads_back()
    {
        var path = Path.Combine(_dir, "serf", "local.keyring");
        var keyring = new Keyring(Enumerable.Repeat((byte)1, 32).ToArray(), [Enumerable.Repeat((byte)2, 16).ToArray()]);

        Assert.Null(KeyringFile.Write(path, keyring));

        var primary = Convert.ToBase64String(keyring.Keys[0]);
        var secondary = Convert.ToBase64String(keyring.Keys[1]);
        Assert.Equal($"[\n  \"{primary}\",\n  \"{secondary}\"\n]", File.ReadAllText(path).ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.False(File.Exists(path + ".tmp"));
        var read = KeyringFile.Read(path)!;
        Assert.Equal(keyring.Keys, read.Keys);
    }

    [Fact]
    public void A_missing_file_is_no_keyring_and_a_bad_one_is_a_clear_error()
    {
        Assert.Null(KeyringFile.Read(Path.Combine(_dir, "absent")));

        var path = Path.Combine(_dir, "bad.keyring");
        File.WriteAllText(path, "[\"not base64!\"]");
        Assert.Contains("not valid base64", Assert.Throws<GossipException>(() => KeyringFile.Read(path)).Message);
        File.WriteAllText(path, "[\"AQID\"]");
        Assert.Contains("key size must be 16, 24 or 32 bytes", Assert.Throws<GossipException>(() => KeyringFile.Read(path)).Message);
        File.WriteAllText(path, "[]");
        Assert.Contains("holds no keys", Assert.Throws<GossipException>(() => KeyringFile.Read(path)).Message);
        File.WriteAllText(path, "{");
        Assert.Contains(path, Assert.Throws<GossipException>(() => KeyringFile.Read(path)).Message);
    }

    [Fact]
    public void A_write_that_cannot_happen_says_why_in_serfs_words()
    {
        var blocker = Path.Combine(_dir, "file");
        File.WriteAllText(blocker, "");

        var error = KeyringFile.Write(Path.Combine(blocker, "local.keyring"), new Keyring(new byte[16]));

        Assert.StartsWith("Failed to write keyring file: ", error);
    }
}
