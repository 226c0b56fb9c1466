namespace Praetor.Integration;

/// <summary>A fact that is skipped, with the reason, only when /usr/bin/serf (Debian package serf) is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SerfInteropFactAttribute : FactAttribute
{
    public SerfInteropFactAttribute()
    {
        if (!SerfInteropAgent.Available)
        {
            Skip = SerfInteropAgent.SkipReason;
        }
    }
}
