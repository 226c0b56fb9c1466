using System.Runtime.CompilerServices;
using Praetor.Gossip.Memberlist.Wire;

namespace Praetor.Gossip.Tests.Wire;

/// <summary>Loads the captured serf traffic under tests/Praetor.Gossip.Tests/Fixtures/Memberlist (found from this source file's path, so no copy-to-output step is needed).</summary>
internal static class Fixture
{
    public static byte[] Bytes(string name) => Convert.FromHexString(Lines(name + ".hex")[^1]);

    public static Keyring Keyring() => new(Convert.FromBase64String(Lines("encrypt-key.txt")[^1]));

    private static string[] Lines(string file) =>
        [.. File.ReadAllLines(Path.Combine(Directory(), file)).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    private static string Directory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "..", "Fixtures", "Memberlist");
}
