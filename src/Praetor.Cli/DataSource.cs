using System.Text;

namespace Praetor.Cli;

/// <summary>
/// Where a command's data comes from (Consul's <c>helpers.LoadDataSource</c>): <c>@path</c> reads a
/// file, a lone <c>-</c> reads stdin, anything else is the data itself.
/// </summary>
public static class DataSource
{
    /// <summary>Loads the data; on failure the error reads like Go's (<c>Failed to read file: open x: no such file or directory</c>).</summary>
    public static async Task<(byte[]? Data, string? Error)> LoadAsync(string argument, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(argument);
        ArgumentNullException.ThrowIfNull(context);
        if (argument.Length == 0)
        {
            return ([], null);
        }

        if (argument[0] == '@')
        {
            var path = argument[1..];
            try
            {
                return (await File.ReadAllBytesAsync(path), null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return (null, $"Failed to read file: open {path}: {Describe(e)}");
            }
        }

        if (argument == "-")
        {
            try
            {
                return (await context.ReadStdinBytesAsync(), null);
            }
            catch (IOException e)
            {
                return (null, $"Failed to read stdin: {e.Message}");
            }
        }

        return (Encoding.UTF8.GetBytes(argument), null);
    }

    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ when e.Message.Length == 0 => "read error",
        _ => e.Message,
    };
}
