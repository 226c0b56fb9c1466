namespace Praetor.Cli;

/// <summary>The <c>praetor</c> executable: the process's console wired to <see cref="PraetorCli"/>.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => PraetorCli.RunAsync(args, CliContext.FromConsole());
}
