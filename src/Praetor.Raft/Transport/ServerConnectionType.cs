namespace Praetor.Raft.Transport;

/// <summary>
/// The first byte of every connection to the server port (Consul's 8300): what the rest of the
/// connection carries. Part of the wire format: never renumber, only append. Praetor's own
/// numbering; it does not speak Consul's server RPC.
/// </summary>
public enum ServerConnectionType : byte
{
    /// <summary>Agent RPC: multiplexed request/response frames (<c>Praetor.Agent.Rpc</c>).</summary>
    Rpc = 0x01,

    /// <summary>Raft messages, one per frame, in one direction (<see cref="TcpRaftTransport"/>).</summary>
    Raft = 0x02,
}
