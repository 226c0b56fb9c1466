using System.Runtime.CompilerServices;

namespace Praetor.Gossip.Tests.Serf;

/// <summary>
/// Bytes captured from Debian's serf 0.9.4 by Fixtures/capture_serf.py: each file holds
/// "# comment" lines, each followed by one message in hex.
/// </summary>
internal static class SerfFixtures
{
    public static IReadOnlyList<(string Comment, byte[] Bytes)> Load(string name)
    {
        var path = Path.Combine(FixtureDirectory(), name + ".hex");
        var items = new List<(string, byte[])>();
        var comment = "";
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.StartsWith('#'))
            {
                comment = line[1..].Trim();
                continue;
            }
            if (line.Length == 0) continue;
            items.Add((comment, Convert.FromHexString(line)));
        }
        return items;
    }

    // The fixtures sit beside the test sources, not in the build output (the test project's file
    // is not ours to change), so they are found from this file's compile-time path.
    private static string FixtureDirectory([CallerFilePath] string sourcePath = "") =>
        Path.Combine(Path.GetDirectoryName(sourcePath)!, "Fixtures");
}
