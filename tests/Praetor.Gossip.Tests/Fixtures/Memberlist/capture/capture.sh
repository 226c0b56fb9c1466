#!/usr/bin/env bash
# Captures real memberlist/Serf traffic between Debian `serf` agents on loopback with tcpdump,
# for the wire codec's fixtures. Run as root (tcpdump on lo). Kills only the PIDs it starts.
#   capture.sh <out-dir> [encrypt-key-base64]
# Writes <out-dir>/gossip.pcap and the agents' logs; extract.py turns the pcap into hex fixtures.
set -euo pipefail
out=${1:?out dir}; key=${2:-}
mkdir -p "$out"
base=${BASE_PORT:-17946}
pa=$base; pb=$((base+1)); pc=$((base+2))
ra=$((base+100)); rb=$((base+101)); rc=$((base+102))
enc=(); [[ -n "$key" ]] && enc=(-encrypt "$key")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

tcpdump -i lo -U -s 0 -w "$out/gossip.pcap" "port $pa or port $pb or port $pc" 2>"$out/tcpdump.log" &
tcpdump_pid=$!
sleep 1
serf agent -node a -bind 127.0.0.1:$pa -rpc-addr 127.0.0.1:$ra -tag role=web -tag dc=dc1 -log-level debug "${enc[@]}" >"$out/a.log" 2>&1 &
pids+=($!)
sleep 1
serf agent -node b -bind 127.0.0.1:$pb -rpc-addr 127.0.0.1:$rb -tag role=db -join 127.0.0.1:$pa -log-level debug "${enc[@]}" >"$out/b.log" 2>&1 &
pids+=($!); pid_b=$!
if [[ -z "$key" ]]; then
  serf agent -node c -bind 127.0.0.1:$pc -rpc-addr 127.0.0.1:$rc -join 127.0.0.1:$pa -log-level debug >"$out/c.log" 2>&1 &
  pids+=($!); pid_c=$!
fi
sleep 4
serf event -rpc-addr 127.0.0.1:$ra deploy "v1.2.3" || true
sleep 3
if [[ -z "$key" ]]; then
  kill -9 "$pid_c"      # a and b probe c, ask each other for indirect probes, suspect it, declare it dead
  sleep 12
fi
serf leave -rpc-addr 127.0.0.1:$rb || true   # b broadcasts its own dead message (a leave)
sleep 3
serf members -rpc-addr 127.0.0.1:$ra >"$out/members.txt" || true
cleanup
sleep 1
kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null || true
echo "captured $(stat -c %s "$out/gossip.pcap") bytes"
