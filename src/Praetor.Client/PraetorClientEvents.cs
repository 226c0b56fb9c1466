namespace Praetor.Client;

/// <summary>The user event and session endpoint groups of a <see cref="PraetorClient"/>, as Go's <c>client.Event()</c> and <c>client.Session()</c>.</summary>
public static class PraetorClientEvents
{
    extension(PraetorClient client)
    {
        /// <summary><c>/v1/event</c>.</summary>
        public EventEndpoint Event => new(client.Agent.Transport);

        /// <summary><c>/v1/session</c>.</summary>
        public SessionEndpoint Session => new(client.Agent.Transport);
    }
}
