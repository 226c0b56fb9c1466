namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// A user (delegate) message: in a UDP packet, type 8 followed by the payload as is; over TCP,
/// type 8, a userMsgHeader map (UserMsgLen) and the payload. memberlist never looks inside:
/// Serf's messages travel here. The payload is a copy the receiver owns.
/// </summary>
public sealed record UserMsg(byte[] Payload);
