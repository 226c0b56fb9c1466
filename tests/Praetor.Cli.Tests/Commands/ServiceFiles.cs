namespace Praetor.Cli.Tests.Commands;

/// <summary>A scratch directory for service definition files, deleted afterwards.</summary>
public sealed class ServiceFiles : IDisposable
{
    public ServiceFiles()
    {
        Path = Directory.CreateTempSubdirectory("praetor-services-").FullName;
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="content"/> to <paramref name="name"/> and returns its full path.</summary>
    public string Write(string name, string content)
    {
        var full = System.IO.Path.Combine(Path, name);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
