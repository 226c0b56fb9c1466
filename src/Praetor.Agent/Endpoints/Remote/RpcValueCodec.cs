using MessagePack;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>Writes one value as msgpack.</summary>
internal delegate void WriteValue<in T>(ref MessagePackWriter writer, T value);

/// <summary>Reads one value from msgpack; input of the wrong shape throws (any exception: the caller reports it as malformed).</summary>
internal delegate T ReadValue<out T>(ref MessagePackReader reader);

/// <summary>The msgpack encoding of one type of value in the endpoint RPC: both directions, so caller and handler cannot disagree.</summary>
internal sealed record RpcValueCodec<T>(WriteValue<T> Write, ReadValue<T> Read);
