using System.Text;

namespace Praetor.Cli;

/// <summary>
/// What a command may touch of the outside world: its standard streams and environment. Tests
/// pass string readers and writers and a fixed environment; <see cref="FromConsole"/> wires the
/// process's own.
/// </summary>
public sealed class CliContext
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly IReadOnlyDictionary<string, string>? _environment;

    /// <param name="environment">The variables commands see; null means the process environment.</param>
    public CliContext(TextReader stdin, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string>? environment = null)
    {
        Stdin = stdin;
        Stdout = stdout;
        Stderr = stderr;
        _environment = environment;
    }

    public TextReader Stdin { get; }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    /// <summary>The process's streams: byte-transparent stdin and stdout, so KV values pass through unchanged.</summary>
    public static CliContext FromConsole() => new(
        new StreamReader(Console.OpenStandardInput(), Utf8NoBom),
        new StreamWriter(Console.OpenStandardOutput(), Utf8NoBom) { AutoFlush = true },
        new StreamWriter(Console.OpenStandardError(), Utf8NoBom) { AutoFlush = true });

    public string? GetEnvironmentVariable(string name) =>
        _environment is null ? Environment.GetEnvironmentVariable(name) : _environment.GetValueOrDefault(name);

    /// <summary>Writes a line to stdout (Consul's <c>Ui.Info</c>/<c>Ui.Output</c>).</summary>
    public void Info(string line) => Stdout.Write(line + "\n");

    /// <summary>Writes a line to stderr (Consul's <c>Ui.Error</c>).</summary>
    public void Error(string line) => Stderr.Write(line + "\n");

    /// <summary>Writes raw bytes to stdout: unchanged when stdout is a byte stream, else decoded as UTF-8.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (Stdout is StreamWriter { BaseStream: { } stream } writer)
        {
            writer.Flush();
            stream.Write(bytes);
            stream.Flush();
            return;
        }

        Stdout.Write(Encoding.UTF8.GetString(bytes));
    }

    /// <summary>Reads all of stdin as bytes: unchanged when stdin is a byte stream, else encoded as UTF-8.</summary>
    public async Task<byte[]> ReadStdinBytesAsync()
    {
        if (Stdin is StreamReader { BaseStream: { } stream })
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }

        return Encoding.UTF8.GetBytes(await Stdin.ReadToEndAsync());
    }
}
