using System.Text;

namespace Praetor.Cli.Flags;

/// <summary>Word-wraps usage text the way Consul's help does (greedy, at a fixed width, indented).</summary>
public static class UsageWrapper
{
    public static void WriteWrapped(TextWriter output, string text, int indent, int width)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(text);
        var limit = Math.Max(1, width - indent);
        var padding = new string(' ', indent);
        var line = new StringBuilder();
        foreach (var word in text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > limit)
            {
                output.Write(padding);
                output.Write(line);
                output.Write('\n');
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        output.Write(padding);
        output.Write(line);
        output.Write('\n');
    }
}
