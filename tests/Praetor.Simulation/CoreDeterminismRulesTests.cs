using System.Reflection;
using System.Reflection.Emit;
using Praetor.Gossip.Memberlist;
using Praetor.Raft.Core;

namespace Praetor.Simulation;

/// <summary>
/// DESIGN principle 1 as a tidy test: the membership and Raft cores read no clock, sleep on no
/// thread and make no randomness of their own, or a simulation could not replay them from a seed.
/// It reads the IL of every method in Praetor.Gossip.Memberlist and Praetor.Raft.Core (lambdas
/// and closures included) and lists each forbidden call it finds.
/// </summary>
public class CoreDeterminismRulesTests
{
    private static readonly (string Type, string Member)[] Forbidden =
    [
        ("System.DateTime", "get_Now"),
        ("System.DateTime", "get_UtcNow"),
        ("System.DateTime", "get_Today"),
        ("System.DateTimeOffset", "get_Now"),
        ("System.DateTimeOffset", "get_UtcNow"),
        ("System.Threading.Tasks.Task", "Delay"),
        ("System.Threading.Thread", "Sleep"),
        ("System.Random", ".ctor"),
        ("System.Random", "get_Shared"),
        ("System.Diagnostics.Stopwatch", "*"),
        ("System.TimeProvider", "get_System"),
        ("System.Threading.Timer", ".ctor"),
        ("System.Environment", "get_TickCount"),
        ("System.Environment", "get_TickCount64"),
    ];

    [Fact]
    public void The_membership_core_uses_no_clock_sleep_or_randomness_of_its_own()
    {
        var (violations, methods) = Scan(typeof(MemberlistCore).Assembly, "Praetor.Gossip.Memberlist");
        Assert.True(methods > 100, $"only {methods} methods scanned: the scan is not looking at the core");
        Assert.True(violations.Count == 0, "forbidden calls in the core:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_raft_core_uses_no_clock_sleep_or_randomness_of_its_own()
    {
        var (violations, methods) = Scan(typeof(RaftNode).Assembly, "Praetor.Raft.Core");
        Assert.True(methods > 100, $"only {methods} methods scanned: the scan is not looking at the core");
        Assert.True(violations.Count == 0, "forbidden calls in the core:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_scan_catches_a_forbidden_call()
    {
        var (violations, _) = Scan(typeof(CoreDeterminismRulesTests).Assembly, typeof(Canary).Namespace!, t => t == typeof(Canary));
        Assert.Contains(violations, v => v.Contains("DateTime.get_UtcNow", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("Random..ctor", StringComparison.Ordinal));
    }

    private static class Canary
    {
        public static long Bad() => DateTime.UtcNow.Ticks + new Random().Next();
    }

    private static (List<string> Violations, int Methods) Scan(Assembly assembly, string ns, Func<Type, bool>? filter = null)
    {
        var violations = new List<string>();
        var methods = 0;
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            if (type.Namespace is null || !(type.Namespace == ns || type.Namespace.StartsWith(ns + ".", StringComparison.Ordinal))) continue;
            if (filter is not null && !filter(type) && !(type.DeclaringType is { } d && filter(d))) continue;
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                var il = method.GetMethodBody()?.GetILAsByteArray();
                if (il is null) continue;
                methods++;
                foreach (var callee in Callees(method, il))
                {
                    var calleeType = callee.DeclaringType?.FullName ?? "";
                    foreach (var (t, m) in Forbidden)
                    {
                        if (calleeType == t && (m == "*" || callee.Name == m)) violations.Add($"{type.FullName}.{method.Name} calls {t.Split('.').Last()}.{callee.Name}");
                    }
                }
            }
        }
        return (violations, methods);
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Every method a method body calls, creates or takes the address of.</summary>
    private static IEnumerable<MethodBase> Callees(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineMethod:
                    var token = BitConverter.ToInt32(il, i);
                    MethodBase? callee = null;
                    try { callee = module.ResolveMethod(token, typeArgs, methodArgs); }
                    catch (ArgumentException) { }
                    if (callee is not null) yield return callee;
                    i += 4;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: i += 1; break;
                case OperandType.InlineVar: i += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: i += 8; break;
                case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                default: i += 4; break;
            }
        }
    }
}
