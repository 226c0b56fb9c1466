namespace Praetor.Client;

/// <summary>The catalog, health, coordinate and session endpoint groups of a <see cref="PraetorClient"/>, as Go's <c>client.Catalog()</c>, <c>client.Health()</c>, <c>client.Coordinate()</c> and <c>client.Session()</c>.</summary>
public static class PraetorClientEndpoints
{
    extension(PraetorClient client)
    {
        /// <summary><c>/v1/catalog</c>.</summary>
        public CatalogEndpoint Catalog => new(client.Agent.Transport);

        /// <summary><c>/v1/health</c>.</summary>
        public HealthEndpoint Health => new(client.Agent.Transport);

        /// <summary><c>/v1/coordinate</c>.</summary>
        public CoordinateEndpoint Coordinate => new(client.Agent.Transport);

        /// <summary><c>/v1/session</c>.</summary>
        public SessionEndpoint Session => new(client.Agent.Transport);
    }
}
