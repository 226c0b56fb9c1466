namespace Praetor.Simulation;

/// <summary>
/// The knobs of the simulation tests, from the environment so CI stays fast and a failure can
/// be replayed: <c>PRAETOR_SIM_NODES</c> (cluster size, default 100; 1000 runs the issue's
/// full-size figures in a few minutes) and <c>PRAETOR_SIM_SEED</c> (default 1; every failure
/// message names the seed it ran with).
/// </summary>
internal static class SimulationKnobs
{
    public static int Nodes => ReadInt("PRAETOR_SIM_NODES", 100);

    public static int Seed => ReadInt("PRAETOR_SIM_SEED", 1);

    private static int ReadInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v > 0 ? v : fallback;
}
