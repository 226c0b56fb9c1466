using MessagePack;
using Praetor.Gossip.Msgpack;

namespace Praetor.Gossip.Serf.Wire;

public static partial class SerfCodec
{
    // messagePushPull {EventLTime, Events, LTime, LeftMembers, QueryLTime, StatusLTimes}
    private static void WritePushPull(ref MessagePackWriter writer, PushPullState state)
    {
        writer.WriteMapHeader(6);
        GoMsgpackWriter.WriteField(ref writer, "EventLTime"u8);
        writer.Write(state.EventLTime);
        GoMsgpackWriter.WriteField(ref writer, "Events"u8);
        writer.WriteArrayHeader(state.Events.Count);
        for (var i = 0; i < state.Events.Count; i++)
        {
            var bucket = state.Events[i];
            if (bucket is null)
            {
                writer.WriteNil();
                continue;
            }
            // userEvents {Events, LTime}
            writer.WriteMapHeader(2);
            GoMsgpackWriter.WriteField(ref writer, "Events"u8);
            writer.WriteArrayHeader(bucket.Events.Count);
            foreach (var userEvent in bucket.Events)
            {
                // userEvent {Name, Payload}
                writer.WriteMapHeader(2);
                GoMsgpackWriter.WriteField(ref writer, "Name"u8);
                writer.Write(userEvent.Name);
                GoMsgpackWriter.WriteField(ref writer, "Payload"u8);
                GoMsgpackWriter.WriteBytes(ref writer, userEvent.Payload);
            }
            GoMsgpackWriter.WriteField(ref writer, "LTime"u8);
            writer.Write(bucket.LTime);
        }
        GoMsgpackWriter.WriteField(ref writer, "LTime"u8);
        writer.Write(state.LTime);
        GoMsgpackWriter.WriteField(ref writer, "LeftMembers"u8);
        WriteStringList(ref writer, state.LeftMembers);
        GoMsgpackWriter.WriteField(ref writer, "QueryLTime"u8);
        writer.Write(state.QueryLTime);
        GoMsgpackWriter.WriteField(ref writer, "StatusLTimes"u8);
        var names = GoMsgpackWriter.SortedKeys(state.StatusLTimes.Keys, state.StatusLTimes.Count);
        writer.WriteMapHeader(names.Length);
        foreach (var name in names)
        {
            writer.Write(name);
            writer.Write(state.StatusLTimes[name]);
        }
    }

    private static bool ReadPushPull(ref GoMsgpackReader reader, out PushPullState? state, out string where)
    {
        state = null;
        ulong ltime = 0, eventLTime = 0, queryLTime = 0;
        var statusLTimes = new Dictionary<string, ulong>(StringComparer.Ordinal);
        List<string>? leftMembers = null;
        var events = new List<UserEventBucket?>();
        if (!ReadStructHeader(ref reader, out var fields, out where, "messagePushPull")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var field, out where, "messagePushPull")) return false;
            var ok = field switch
            {
                _ when field.SequenceEqual("LTime"u8) => Field(reader.TryReadUInt64(out ltime), "messagePushPull.LTime", out where),
                _ when field.SequenceEqual("StatusLTimes"u8) => Field(ReadStatusLTimes(ref reader, statusLTimes), "messagePushPull.StatusLTimes", out where),
                _ when field.SequenceEqual("LeftMembers"u8) => Field(ReadStringList(ref reader, out leftMembers), "messagePushPull.LeftMembers", out where),
                _ when field.SequenceEqual("EventLTime"u8) => Field(reader.TryReadUInt64(out eventLTime), "messagePushPull.EventLTime", out where),
                _ when field.SequenceEqual("Events"u8) => Field(ReadEventBuckets(ref reader, events), "messagePushPull.Events", out where),
                _ when field.SequenceEqual("QueryLTime"u8) => Field(reader.TryReadUInt64(out queryLTime), "messagePushPull.QueryLTime", out where),
                _ => Field(reader.TrySkip(), "messagePushPull", out where),
            };
            if (!ok) return false;
        }
        state = new PushPullState(ltime, statusLTimes, (IReadOnlyList<string>?)leftMembers ?? [], eventLTime, events, queryLTime);
        return true;
    }

    private static bool ReadStatusLTimes(ref GoMsgpackReader reader, Dictionary<string, ulong> statusLTimes)
    {
        statusLTimes.Clear();
        if (!reader.TryReadMapHeader(out var count)) return false;
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadString(out var name) || !reader.TryReadUInt64(out var ltime)) return false;
            statusLTimes[name] = ltime;
        }
        return true;
    }

    private static bool ReadEventBuckets(ref GoMsgpackReader reader, List<UserEventBucket?> buckets)
    {
        buckets.Clear();
        if (!reader.TryReadArrayHeader(out var count)) return false;
        for (var i = 0; i < count; i++)
        {
            if (reader.TryReadNil())
            {
                buckets.Add(null);
                continue;
            }
            if (!ReadEventBucket(ref reader, out var bucket)) return false;
            buckets.Add(bucket);
        }
        return true;
    }

    private static bool ReadEventBucket(ref GoMsgpackReader reader, out UserEventBucket? bucket)
    {
        bucket = null;
        ulong ltime = 0;
        var events = new List<BufferedUserEvent>();
        if (!reader.TryReadMapHeader(out var fields)) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!reader.TryReadRaw(out var field, out _)) return false;
            if (field.SequenceEqual("LTime"u8))
            {
                if (!reader.TryReadUInt64(out ltime)) return false;
            }
            else if (field.SequenceEqual("Events"u8))
            {
                events.Clear();
                if (!reader.TryReadArrayHeader(out var count)) return false;
                for (var j = 0; j < count; j++)
                {
                    if (!ReadBufferedUserEvent(ref reader, out var userEvent)) return false;
                    events.Add(userEvent);
                }
            }
            else if (!reader.TrySkip())
            {
                return false;
            }
        }
        bucket = new UserEventBucket(ltime, events);
        return true;
    }

    private static bool ReadBufferedUserEvent(ref GoMsgpackReader reader, out BufferedUserEvent userEvent)
    {
        userEvent = default;
        var name = "";
        byte[]? payload = null;
        if (!reader.TryReadMapHeader(out var fields)) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!reader.TryReadRaw(out var field, out _)) return false;
            var ok = field switch
            {
                _ when field.SequenceEqual("Name"u8) => reader.TryReadString(out name),
                _ when field.SequenceEqual("Payload"u8) => reader.TryReadBytes(out payload),
                _ => reader.TrySkip(),
            };
            if (!ok) return false;
        }
        userEvent = new BufferedUserEvent(name, payload);
        return true;
    }
}
