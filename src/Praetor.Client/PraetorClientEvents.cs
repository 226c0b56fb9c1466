namespace Praetor.Client;

/// <summary>The user event endpoint group of a <see cref="PraetorClient"/>, as Go's <c>client.Event()</c>.</summary>
public static class PraetorClientEvents
{
    extension(PraetorClient client)
    {
        /// <summary><c>/v1/event</c>.</summary>
        public EventEndpoint Event => new(client.Agent.Transport);
    }
}
