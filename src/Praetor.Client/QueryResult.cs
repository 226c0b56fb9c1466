namespace Praetor.Client;

/// <summary>A read's answer and the metadata that came with it.</summary>
public sealed record QueryResult<T>(T Response, QueryMeta Meta);
