namespace Praetor.Integration;

/// <summary>A fact that is skipped, with the reason, only when /usr/bin/dig (bind9-dnsutils) is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DigFactAttribute : FactAttribute
{
    public DigFactAttribute()
    {
        if (!Dig.Available)
        {
            Skip = Dig.SkipReason;
        }
    }
}
