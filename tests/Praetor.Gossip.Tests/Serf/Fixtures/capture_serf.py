#!/usr/bin/env python3
"""Captures real Serf 0.9.4 (Debian's /usr/bin/serf) wire bytes for the codec tests.

Starts one serf agent on loopback, pretends to be a memberlist peer ("py") over a TCP push/pull
join, fires user events through `serf event`, collects the gossip serf sends to "py" over UDP, and
pings serf for its coordinate ack. Writes serf-*.hex files next to this script: one message per
line, hex, preceded by a '# ' comment line saying what it is. Kills only the agent it started.

Run: python3 capture_serf.py   (needs nothing but python3 and the serf package)
"""
import os, socket, struct, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
SERF_PORT, RPC_PORT, PY_PORT = 17946, 17373, 17947

# --- minimal msgpack (old spec raw, as go-msgpack writes) -------------------------------------
def enc(v):
    if v is None: return b'\xc0'
    if v is True: return b'\xc3'
    if v is False: return b'\xc2'
    if isinstance(v, int):
        if 0 <= v <= 0x7f: return bytes([v])
        if 0 <= v <= 0xff: return b'\xcc' + bytes([v])
        if 0 <= v <= 0xffff: return b'\xcd' + struct.pack('>H', v)
        if 0 <= v <= 0xffffffff: return b'\xce' + struct.pack('>I', v)
        return b'\xcf' + struct.pack('>Q', v)
    if isinstance(v, str): v = v.encode()
    if isinstance(v, (bytes, bytearray)):
        n = len(v)
        return (bytes([0xa0 | n]) if n < 32 else b'\xda' + struct.pack('>H', n)) + bytes(v)
    if isinstance(v, list):
        return bytes([0x90 | len(v)]) + b''.join(enc(x) for x in v)
    if isinstance(v, dict):
        return bytes([0x80 | len(v)]) + b''.join(enc(k) + enc(x) for k, x in v.items())
    raise TypeError(v)

def dec(b, i=0):
    c = b[i]; i += 1
    if c <= 0x7f: return c, i
    if c >= 0xe0: return c - 256, i
    if 0x80 <= c <= 0x8f: return dec_map(b, i, c & 15)
    if 0x90 <= c <= 0x9f: return dec_arr(b, i, c & 15)
    if 0xa0 <= c <= 0xbf: n = c & 31; return bytes(b[i:i+n]), i + n
    if c == 0xc0: return None, i
    if c == 0xc2: return False, i
    if c == 0xc3: return True, i
    if c in (0xd9, 0xc4): n = b[i]; return bytes(b[i+1:i+1+n]), i + 1 + n
    if c in (0xda, 0xc5): n = struct.unpack('>H', b[i:i+2])[0]; return bytes(b[i+2:i+2+n]), i + 2 + n
    if c in (0xdb, 0xc6): n = struct.unpack('>I', b[i:i+4])[0]; return bytes(b[i+4:i+4+n]), i + 4 + n
    fmt = {0xcc: '>B', 0xcd: '>H', 0xce: '>I', 0xcf: '>Q', 0xd0: '>b', 0xd1: '>h', 0xd2: '>i', 0xd3: '>q', 0xca: '>f', 0xcb: '>d'}
    if c in fmt:
        n = struct.calcsize(fmt[c]); return struct.unpack(fmt[c], b[i:i+n])[0], i + n
    if c == 0xdc: n = struct.unpack('>H', b[i:i+2])[0]; return dec_arr(b, i + 2, n)
    if c == 0xde: n = struct.unpack('>H', b[i:i+2])[0]; return dec_map(b, i + 2, n)
    raise ValueError(hex(c))

def dec_map(b, i, n):
    d = {}
    for _ in range(n):
        k, i = dec(b, i); v, i = dec(b, i); d[k] = v
    return d, i

def dec_arr(b, i, n):
    a = []
    for _ in range(n):
        v, i = dec(b, i); a.append(v)
    return a, i

# --- Go's compress/lzw, LSB order, 8-bit literals (memberlist's compressPayload) --------------
def lzw_decode(data):
    clear, eof = 256, 257
    width, hi, overflow, last = 9, eof, 512, None
    table = {i: bytes([i]) for i in range(256)}
    out = bytearray(); bits = nbits = pos = 0
    while True:
        while nbits < width:
            if pos >= len(data): return bytes(out)
            bits |= data[pos] << nbits; pos += 1; nbits += 8
        code = bits & ((1 << width) - 1); bits >>= width; nbits -= width
        if code == clear:
            width, hi, overflow, last = 9, eof, 512, None
            table = {i: bytes([i]) for i in range(256)}
            continue
        if code == eof: return bytes(out)
        if code < clear: entry = table[code]
        elif code == hi and last is not None: entry = table[last] + table[last][:1]
        elif code < hi: entry = table[code]
        else: raise ValueError('bad lzw code')
        if last is not None: table[hi] = table[last] + entry[:1]
        out += entry
        last, hi = code, hi + 1
        if hi >= overflow:
            if width == 12: last = None; hi -= 1
            else: width += 1; overflow <<= 1

def unwrap(msg):
    """Undo memberlist's compress (9), crc (12) and compound (7) wrapping; yield plain messages."""
    t = msg[0]
    if t == 9:
        c, _ = dec(msg, 1); yield from unwrap(lzw_decode(c[b'Buf']))
    elif t == 12:
        yield from unwrap(msg[5:])
    elif t == 7:
        n = msg[1]; lens = struct.unpack('>' + 'H' * n, msg[2:2 + 2 * n]); i = 2 + 2 * n
        for l in lens:
            yield from unwrap(msg[i:i + l]); i += l
    else:
        yield msg

def main():
    log = open(os.path.join('/tmp', 'serf-capture-agent.log'), 'w')
    agent = subprocess.Popen(['serf', 'agent', '-node=s1', f'-bind=127.0.0.1:{SERF_PORT}',
                              f'-rpc-addr=127.0.0.1:{RPC_PORT}', '-tag', 'role=web', '-tag', 'dc=dc1',
                              '-log-level=debug'], stdout=log, stderr=subprocess.STDOUT)
    fixtures = {}
    def keep(name, comment, data):
        fixtures.setdefault(name, []).append((comment, data))
    try:
        time.sleep(1.5)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(('127.0.0.1', PY_PORT)); udp.settimeout(0.2)

        # 1. Join by TCP push/pull as "py".
        header = {'Nodes': 1, 'UserStateLen': 0, 'Join': True}
        node = {'Name': 'py', 'Addr': bytes([127, 0, 0, 1]), 'Port': PY_PORT, 'Meta': b'',
                'Incarnation': 1, 'State': 0, 'Vsn': [1, 5, 2, 2, 5, 4]}
        tcp = socket.create_connection(('127.0.0.1', SERF_PORT))
        tcp.sendall(b'\x06' + enc(header) + enc(node))
        raw = b''
        tcp.settimeout(2)
        try:
            while True:
                chunk = tcp.recv(65536)
                if not chunk: break
                raw += chunk
                try:
                    stream = next(unwrap(raw)); hdr, i = dec(stream, 1)
                    for _ in range(hdr[b'Nodes']): _, i = dec(stream, i)
                    if len(stream) - i >= hdr[b'UserStateLen']: break
                except Exception:
                    continue
        except socket.timeout:
            pass
        tcp.close()
        stream = next(unwrap(raw)); hdr, i = dec(stream, 1)
        for _ in range(hdr[b'Nodes']):
            st, i = dec(stream, i)
            keep('serf-tags', f"node meta of {st[b'Name'].decode()} (serf -tag role=web -tag dc=dc1)", st[b'Meta'])
        keep('serf-pushpull', 'messagePushPull of a fresh agent, before any event (join push/pull reply)', stream[i:])

        # 2. User events through serf's RPC, collected as gossip to "py".
        subprocess.run(['serf', 'event', f'-rpc-addr=127.0.0.1:{RPC_PORT}', 'deploy', 'v1.2'], check=True)
        subprocess.run(['serf', 'event', f'-rpc-addr=127.0.0.1:{RPC_PORT}', '-coalesce=false', 'restart'], check=True)
        subprocess.run(['serf', 'event', f'-rpc-addr=127.0.0.1:{RPC_PORT}', 'big', 'x' * 40], check=True)
        deadline = time.time() + 3
        seen = set()
        while time.time() < deadline:
            try:
                pkt, _ = udp.recvfrom(65536)
            except socket.timeout:
                continue
            for m in unwrap(pkt):
                if m[0] == 0:  # ping: answer so serf keeps "py" alive
                    p, _ = dec(m, 1)
                    udp.sendto(b'\x02' + enc({'SeqNo': p[b'SeqNo'], 'Payload': b''}), ('127.0.0.1', SERF_PORT))
                elif m[0] == 8 and m[1:] not in seen:
                    seen.add(m[1:])
                    kind = {0: 'messageLeave', 1: 'messageJoin', 3: 'messageUserEvent', 4: 'messageQuery'}.get(m[1], f'type {m[1]}')
                    keep('serf-gossip', f'{kind} gossiped by serf 0.9.4', m[1:])

        # 3. Push/pull again, now with events in the buffer.
        header = {'Nodes': 0, 'UserStateLen': 0, 'Join': False}
        tcp = socket.create_connection(('127.0.0.1', SERF_PORT)); tcp.settimeout(2)
        tcp.sendall(b'\x06' + enc(header))
        raw = b''
        try:
            while True:
                chunk = tcp.recv(65536)
                if not chunk: break
                raw += chunk
        except socket.timeout:
            pass
        tcp.close()
        stream = next(unwrap(raw)); hdr, i = dec(stream, 1)
        for _ in range(hdr[b'Nodes']): _, i = dec(stream, i)
        keep('serf-pushpull', 'messagePushPull after the events deploy(v1.2), restart (no coalesce), big(40 x)', stream[i:])

        # 4. Ping serf for its coordinate ack.
        ping = b'\x00' + enc({'SeqNo': 77, 'Node': 's1'})
        udp.sendto(ping, ('127.0.0.1', SERF_PORT))
        deadline = time.time() + 2
        while time.time() < deadline:
            try:
                pkt, _ = udp.recvfrom(65536)
            except socket.timeout:
                continue
            for m in unwrap(pkt):
                if m[0] == 2:
                    ack, _ = dec(m, 1)
                    if ack[b'SeqNo'] == 77:
                        keep('serf-ack-payload', 'ping ack payload (PingVersion + coordinate) of serf 0.9.4', ack[b'Payload'])
                        deadline = 0
    finally:
        agent.terminate()
        agent.wait(5)
    for name, items in fixtures.items():
        with open(os.path.join(HERE, name + '.hex'), 'w') as f:
            for comment, data in items:
                f.write('# ' + comment + '\n' + bytes(data).hex() + '\n')
        print(name, len(items))

if __name__ == '__main__':
    main()
