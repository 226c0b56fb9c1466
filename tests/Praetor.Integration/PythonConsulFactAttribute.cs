namespace Praetor.Integration;

/// <summary>A fact that is skipped, with the reason, only when the system python3 cannot import python-consul.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PythonConsulFactAttribute : FactAttribute
{
    public PythonConsulFactAttribute()
    {
        if (PythonConsul.Version is null)
        {
            Skip = PythonConsul.SkipReason;
        }
    }
}
