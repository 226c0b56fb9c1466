using System.Text;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;

namespace Praetor.Gossip.Tests.Wire;

/// <summary>Readable text of decoded messages (records print byte arrays as "System.Byte[]"), for assertions and failure output.</summary>
internal static class WireText
{
    public static string Describe(object? message) => message switch
    {
        null => "null",
        Ping p => $"Ping(SeqNo={p.SeqNo}, Node={p.Node}, SourceAddr={Hex(p.SourceAddr)}, SourcePort={p.SourcePort}, SourceNode={p.SourceNode})",
        IndirectPingReq r => $"IndirectPingReq(SeqNo={r.SeqNo}, Target={Hex(r.Target)}, Port={r.Port}, Node={r.Node}, Nack={r.Nack}, SourceAddr={Hex(r.SourceAddr)}, SourcePort={r.SourcePort}, SourceNode={r.SourceNode})",
        AckResp a => $"AckResp(SeqNo={a.SeqNo}, Payload={Hex(a.Payload)})",
        NackResp n => $"NackResp(SeqNo={n.SeqNo})",
        ErrResp e => $"ErrResp(Error={e.Error})",
        Suspect s => $"Suspect(Incarnation={s.Incarnation}, Node={s.Node}, From={s.From})",
        Dead d => $"Dead(Incarnation={d.Incarnation}, Node={d.Node}, From={d.From})",
        Alive a => $"Alive(Incarnation={a.Incarnation}, Node={a.Node}, Addr={Hex(a.Addr)}, Port={a.Port}, Meta={Hex(a.Meta)}, Vsn={a.Vsn})",
        UserMsg u => $"UserMsg({Hex(u.Payload)})",
        PushNodeState s => $"PushNodeState(Name={s.Name}, Addr={Hex(s.Addr)}, Port={s.Port}, Meta={Hex(s.Meta)}, Incarnation={s.Incarnation}, State={s.State}, Vsn={s.Vsn})",
        PushPull p => $"PushPull(Join={p.Join}, Nodes=[{string.Join(", ", p.Nodes.Select(Describe))}], UserState={Hex(p.UserState)})",
        _ => message.ToString() ?? "",
    };

    public static string Describe(IEnumerable<object> messages)
    {
        var sb = new StringBuilder();
        foreach (var m in messages) sb.AppendLine(Describe(m));
        return sb.ToString();
    }

    public static string Hex(byte[]? bytes) => bytes is null ? "null" : Convert.ToHexStringLower(bytes);
}
