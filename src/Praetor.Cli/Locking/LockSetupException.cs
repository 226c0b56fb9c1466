namespace Praetor.Cli.Locking;

/// <summary>The lock's key exists but does not look like a lock of this kind (Consul's "does not match lock use" errors).</summary>
internal sealed class LockSetupException(string message) : Exception(message);
