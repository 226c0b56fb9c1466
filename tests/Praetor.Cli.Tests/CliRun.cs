namespace Praetor.Cli.Tests;

/// <summary>What one in-process run of the CLI produced.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string> environment, string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(new StringReader(stdin), stdout, stderr, environment);
        var exit = await PraetorCli.RunAsync(args, context);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
