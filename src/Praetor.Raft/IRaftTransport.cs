using Praetor.Raft.Core;

namespace Praetor.Raft;

/// <summary>
/// How a <see cref="RaftLog"/> reaches the other servers. <see cref="Send"/> hands a message over
/// for delivery to <see cref="RaftMessage.To"/> and returns at once, without waiting for the
/// network; the message may be lost, duplicated or reordered (the protocol tolerates it). Inbound
/// messages go the other way: the transport calls the receiving server's <see cref="RaftLog.Deliver"/>.
/// </summary>
public interface IRaftTransport
{
    /// <summary>Queues <paramref name="message"/> for its addressee; never blocks, never throws for a peer that is down.</summary>
    void Send(RaftMessage message);
}
