using System.Security.Cryptography;
using Praetor.Cli.Flags;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor keygen</c>: a new gossip encryption key, as Consul's <c>keygen</c> prints it — 32
/// random bytes (AES-256) in standard base64, for <c>-encrypt</c> or <c>encrypt</c> in a config file.
/// </summary>
public static class KeygenCommand
{
    public const string Synopsis = "Generates a new encryption key";

    /// <summary>Consul generates AES-256 keys; memberlist also accepts 16- and 24-byte ones.</summary>
    public const int KeySizeBytes = 32;

    private const string Usage = "Usage: praetor keygen\n\n  Generates a new encryption key that can be used to configure the\n  agent to encrypt traffic. The output of this command is already\n  in the proper format that the agent expects.";

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var flags = new GoFlagSet("keygen");
        if (CommandHelp.ParseFlags(flags, args, context, Usage) is { } exit)
        {
            return exit;
        }
        if (flags.Args.Count > 0)
        {
            context.Error($"Too many arguments (expected 0, got {flags.Args.Count})");
            return 1;
        }
        context.Info(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySizeBytes)));
        return 0;
    }
}
