using System.Text;
using System.Text.Json;

namespace Praetor.Agent.Config;

/// <summary>
/// Reads Consul's JSON config files (SPEC F1): each path a file or a directory, in the order given,
/// as <c>-config-file</c> and <c>-config-dir</c> name them. A directory contributes its <c>*.json</c>
/// files in lexical order of their names (other files are skipped, as Consul skips them); an
/// <c>.hcl</c> file is a problem, HCL not being supported yet. Each file is applied onto the
/// settings so far by Consul's merge rules (see <see cref="ConfigFileReader"/>); flags are applied
/// by the caller afterwards. Every problem in every file is collected, each naming its file and key
/// path, so a user fixes them all in one round.
/// </summary>
public static class ConfigLoader
{
    private static readonly JsonDocumentOptions Strict = new()
    {
        // Consul's JSON is Go's encoding/json: no comments, no trailing commas; duplicate keys allowed (the last wins).
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    /// <summary>Reads <paramref name="paths"/> (files and directories) in order on top of <paramref name="baseline"/>
    /// (Consul's defaults when null). The result's config lists the files read in <see cref="AgentConfig.ConfigFiles"/>.</summary>
    public static ConfigLoadResult Load(IReadOnlyList<string> paths, AgentConfig? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var problems = new List<ConfigProblem>();
        var config = baseline ?? new AgentConfig();
        var files = new List<string>();
        foreach (var path in paths)
        {
            foreach (var file in Expand(path, problems))
            {
                files.Add(file);
                if (Read(file, problems) is { } bytes)
                {
                    config = ApplyDocument(config, file, bytes, problems);
                }
            }
        }

        return new ConfigLoadResult(config with { ConfigFiles = [.. config.ConfigFiles, .. files] }, files, problems);
    }

    /// <summary>Applies one JSON document (named <paramref name="source"/> in problems) on top of <paramref name="baseline"/>.</summary>
    public static ConfigLoadResult LoadJson(string source, string json, AgentConfig? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(json);
        var problems = new List<ConfigProblem>();
        var config = ApplyDocument(baseline ?? new AgentConfig(), source, Encoding.UTF8.GetBytes(json), problems);
        return new ConfigLoadResult(config, [], problems);
    }

    /// <summary>The config files a directory contributes: its <c>*.json</c> and <c>*.hcl</c> files, in lexical order of name.</summary>
    public static IReadOnlyList<string> FilesInDirectory(string directory)
    {
        var files = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith(".hcl", StringComparison.Ordinal))
            {
                files.Add(file);
            }
        }

        files.Sort(static (a, b) => string.CompareOrdinal(Path.GetFileName(a), Path.GetFileName(b)));
        return files;
    }

    private static List<string> Expand(string path, List<ConfigProblem> problems)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return [.. FilesInDirectory(path)];
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ConfigProblem(path, "", $"cannot read the directory: {ex.Message}"));
            return [];
        }

        if (!File.Exists(path))
        {
            problems.Add(new ConfigProblem(path, "", "no such file or directory"));
            return [];
        }

        return [path];
    }

    private static byte[]? Read(string file, List<ConfigProblem> problems)
    {
        if (file.EndsWith(".hcl", StringComparison.Ordinal))
        {
            problems.Add(new ConfigProblem(file, "", "HCL config files are not supported yet; write the configuration as JSON (a .json file)"));
            return null;
        }

        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ConfigProblem(file, "", $"cannot read the file: {ex.Message}"));
            return null;
        }
    }

    private static AgentConfig ApplyDocument(AgentConfig config, string source, byte[] bytes, List<ConfigProblem> problems)
    {
        var json = new ReadOnlyMemory<byte>(bytes);
        if (json.Span.StartsWith(Encoding.UTF8.Preamble))
        {
            json = json[Encoding.UTF8.Preamble.Length..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Strict);
        }
        catch (JsonException ex)
        {
            problems.Add(new ConfigProblem(source, "", DescribeSyntaxError(ex)));
            return config;
        }

        using (document)
        {
            var reader = new ConfigFileReader(new ConfigValueReader(source, problems), config);
            reader.Apply(document.RootElement);
            return reader.Config;
        }
    }

    /// <summary>System.Text.Json's message without its zero-based position suffix, and the position one-based, as editors count.</summary>
    private static string DescribeSyntaxError(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        message = message.TrimEnd('.', ' ');
        return ex.LineNumber is { } line
            ? $"invalid JSON at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: {message}"
            : $"invalid JSON: {message}";
    }
}
