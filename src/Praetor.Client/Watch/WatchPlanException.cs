namespace Praetor.Client.Watch;

/// <summary>
/// A watch's parameters cannot make a plan. The message is Consul's (<c>Must specify a single key
/// to watch</c>, <c>Unsupported watch type: x</c>); <see cref="Parameter"/> names the parameter at
/// fault, when there is one, so a config file's problem can point at its key.
/// </summary>
public sealed class WatchPlanException : FormatException
{
    public WatchPlanException()
    {
    }

    public WatchPlanException(string message)
        : base(message)
    {
    }

    public WatchPlanException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WatchPlanException(string? parameter, string message)
        : base(message)
    {
        Parameter = parameter;
    }

    /// <summary>The parameter as the input spelled it (<c>key</c>, <c>tag[1]</c>); null for the plan as a whole.</summary>
    public string? Parameter { get; }
}
