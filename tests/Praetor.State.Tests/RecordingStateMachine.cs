using System.Text;
using Praetor.Raft;

namespace Praetor.State.Tests;

/// <summary>
/// A state machine that records every applied entry and answers with "index:payload". It can hold
/// its first apply until released (so later proposals queue up behind it) and fail on one payload.
/// </summary>
internal sealed class RecordingStateMachine(bool holdFirstApply = false, string? failOn = null) : IStateMachine
{
    private readonly TaskCompletionSource _release = NewRelease(holdFirstApply);
    private readonly TaskCompletionSource _firstApplyEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inside;

    public List<(ulong Index, string Payload)> Applied { get; } = [];

    public int MaxConcurrentApplies { get; private set; }

    /// <summary>Completes when the first apply has started (and, if held, is waiting).</summary>
    public Task FirstApplyEntered => _firstApplyEntered.Task;

    public void Release() => _release.TrySetResult();

    private static TaskCompletionSource NewRelease(bool hold)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!hold)
        {
            release.SetResult();
        }
        return release;
    }

    public static ReadOnlyMemory<byte> Command(string payload) => Encoding.UTF8.GetBytes(payload);

    public object? Apply(ulong index, ReadOnlyMemory<byte> command)
    {
        var inside = Interlocked.Increment(ref _inside);
        try
        {
            MaxConcurrentApplies = Math.Max(MaxConcurrentApplies, inside);
            _firstApplyEntered.TrySetResult();
            // Apply is synchronous by contract, so holding it means blocking the apply loop.
            if (!_release.Task.Wait(Kv.Timeout))
            {
                throw new TimeoutException("the test never released the first apply");
            }
            var payload = Encoding.UTF8.GetString(command.Span);
            if (payload == failOn)
            {
                throw new InvalidOperationException($"cannot apply {payload}");
            }
            Applied.Add((index, payload));
            return $"{index}:{payload}";
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }

    public Action<Stream> CaptureSnapshot() => throw new NotSupportedException();

    public void Restore(Stream source) => throw new NotSupportedException();
}
