#!/usr/bin/env python3
"""Lists the UDP datagrams and reassembled TCP streams of a loopback pcap (tcpdump -i lo) as hex.
   extract.py <gossip.pcap>            one line per datagram / stream direction:
   udp <n> <src>-><dst> <hex>          tcp <n> <src>-><dst> <hex>  (payload of one direction, in seq order)
Only the standard library; Ethernet (DLT 1) or Linux cooked (DLT 113) framing, IPv4."""
import struct, sys

def packets(path):
    data = open(path, 'rb').read()
    magic, = struct.unpack('<I', data[:4])
    e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    linktype, = struct.unpack(e + 'I', data[20:24])
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + 'IIII', data[off:off + 16])
        frame = data[off + 16: off + 16 + incl]
        off += 16 + incl
        if linktype == 1: ip = frame[14:]
        elif linktype == 113: ip = frame[16:]
        else: raise SystemExit('unsupported link type %d' % linktype)
        if ip[0] >> 4 != 4: continue
        ihl = (ip[0] & 15) * 4
        total, = struct.unpack('>H', ip[2:4])
        proto = ip[9]
        src = '.'.join(map(str, ip[12:16])); dst = '.'.join(map(str, ip[16:20]))
        body = ip[ihl:total]
        yield proto, src, dst, body

def main():
    udp_n = 0
    streams = {}  # (src,dst) -> {seq: payload}
    order = []
    for proto, src, dst, body in packets(sys.argv[1]):
        if proto == 17:
            sp, dp = struct.unpack('>HH', body[:4])
            udp_n += 1
            print('udp %d %s:%d->%s:%d %s' % (udp_n, src, sp, dst, dp, body[8:].hex()))
        elif proto == 6:
            sp, dp, seq = struct.unpack('>HHI', body[:8])
            doff = (body[12] >> 4) * 4
            payload = body[doff:]
            key = '%s:%d->%s:%d' % (src, sp, dst, dp)
            if key not in streams: streams[key] = {}; order.append(key)
            if payload: streams[key].setdefault(seq, payload)
    for n, key in enumerate(order, 1):
        segs = streams[key]
        if not segs: continue
        print('tcp %d %s %s' % (n, key, b''.join(segs[s] for s in sorted(segs)).hex()))

main()
