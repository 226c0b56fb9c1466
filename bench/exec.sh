#!/usr/bin/env bash
# Remote exec fan-out benchmark (issue 7): N agents on loopback — one server (`agent -server
# -bootstrap-expect 1`, durable log in its data dir) and N-1 client agents joined to it in one LAN
# pool, every agent with `"disable_remote_exec": false` in a config file and its own ports and
# data dir. Each round runs `praetor exec -wait WAIT COMMAND` against the server's HTTP address and
# timestamps its output lines as they come (bash's EPOCHREALTIME, no fork per line):
#   all exited — from the CLI's start until the last of the N `==> <node>: finished with exit code`
#                lines (session, job upload, -wait-repl 200 ms, the _rexec event's gossip, every
#                agent's ack, run, output and exit code written through the server, the CLI's
#                blocking listing);
#   wall       — the CLI's whole run, which adds the -wait quiet period, the summary and the clean-up.
# Checked every round: N distinct nodes finished with exit code 0, the summary line says
# `N / N node(s) completed / acknowledged`, the CLI exited 0, and the `_rexec/` KV prefix is empty
# afterwards. Prints a markdown table (medians over rounds) and writes it to
# bench/results/exec-latest.md; raw rows to bench/results/exec-latest.tsv and
# bench/exec/figures-<UTC date-time>.tsv. `bench/exec.sh --report ROWS.tsv` re-renders saved rows.
#
# Knobs (environment): N (20), ROUNDS (5), WAIT (exec's -wait, 500ms), COMMAND (hostname),
# PAUSE (s between rounds, 2), READY_DEADLINE (s, 120), PRAETOR (the executable; default: the
# shipped Native AOT build of scripts/publish.sh in ARTIFACTS/native), SKIP_BUILD, ARTIFACTS
# (/tmp/art-bench), KEEP_LOGS (1 keeps the scratch folder). No CPU pinning: the N agents and the
# CLI share every CPU.
# Exit codes: 1 a round's check failed, 2 Praetor could not be built or started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
N=${N:-20}
ROUNDS=${ROUNDS:-5}
WAIT=${WAIT:-500ms}
COMMAND=${COMMAND:-hostname}
PAUSE=${PAUSE:-2}
READY_DEADLINE=${READY_DEADLINE:-120}
SKIP_BUILD=${SKIP_BUILD:-0}
ARTIFACTS=${ARTIFACTS:-/tmp/art-bench}
KEEP_LOGS=${KEEP_LOGS:-0}
HOST=127.0.0.1

LOG_TAG=exec
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"   # log, scratch/clean-up, start/stop by PID, take_port, median…

# ---------------------------------------------------------------- report
# Raw row: round, nodes, ms to all exited, ms wall, nodes with exit code 0, CLI exit code,
# _rexec keys left, load average (1 min) before the round.
fmt_report() {
    awk -F'\t' "$REPORT_AWK"'
    {
        n = $2; all = all " " $3; wall = wall " " $4; rounds++
        eachall = eachall (eachall == "" ? "" : " / ") $3; eachwall = eachwall (eachwall == "" ? "" : " / ") $4
        if ($3 == "timeout" || $5 != n || $6 != 0 || $7 != 0) bad++
    }
    END {
        print "| agents | rounds | start → all N exit codes, median (ms) | (rounds) | wall time of `exec`, median (ms) | (rounds) | rounds failing a check |"
        print "| ---: | ---: | ---: | --- | ---: | --- | ---: |"
        printf "| %s | %d | %.0f | %s | %.0f | %s | %d |\n", n, rounds, median(all), eachall, median(wall), eachwall, bad
    }' "$1"
}

if [[ "${1:-}" == --report ]]; then
    shift
    fmt_report "$@"
    exit 0
fi

bench_scratch exec
install_missing curl:curl jq:jq
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

require_praetor

# ---------------------------------------------------------------- agents: a1 the server, a2..aN clients
declare -A HTTP SERF_LAN
SERVER_PORT=""
for i in $(seq 1 "$N"); do take_port; HTTP[a$i]=$PORT; take_port; SERF_LAN[a$i]=$PORT; done
take_port; SERVER_PORT=$PORT
printf '{"disable_remote_exec": false}\n' > "$SCRATCH/agent.json"
start_agent() {
    local i=$1 role=()
    mkdir -p "$SCRATCH/data/a$i"
    if ((i == 1)); then role=(-server -bootstrap-expect 1 -server-port "$SERVER_PORT"); else role=(-retry-join "$HOST:${SERF_LAN[a1]}"); fi
    start_server "a$i" "${HTTP[a$i]}" "$PRAETOR" agent "${role[@]}" -data-dir "$SCRATCH/data/a$i" -node "a$i" \
        -bind "$HOST" -client "$HOST" -http-port "${HTTP[a$i]}" -dns-port -1 -serf-lan-port "${SERF_LAN[a$i]}" \
        -serf-wan-port -1 -retry-interval 1s -log-level warn -config-file "$SCRATCH/agent.json"
}
ready() { [[ $(curl -sf -m 1 "http://$HOST:${HTTP[$READY_NAME]}/v1/status/leader" 2>/dev/null) == \"?*\" ]]; }
# all_registered: the server's catalog lists the N nodes (each client agent registered by the leader).
all_registered() { [[ $(curl -sf -m 2 "http://$HOST:${HTTP[a1]}/v1/catalog/nodes" 2>/dev/null | jq length 2>/dev/null) == "$N" ]]; }

log "starting $N agents (1 server, $((N - 1)) clients)"
for i in $(seq 1 "$N"); do start_agent "$i"; done
for i in $(seq 1 "$N"); do READY_NAME=a$i; wait_ready "a$i" "$READY_DEADLINE" ready || exit 2; done
READY_NAME=a1; wait_ready a1 "$READY_DEADLINE" all_registered || exit 2
log "all $N nodes in the catalog"

# ---------------------------------------------------------------- rounds
FAILED=0
for round in $(seq 1 "$ROUNDS"); do
    sleep "$PAUSE"
    load=$(cut -d' ' -f1 /proc/loadavg)
    out="$SCRATCH/exec-$round.out"
    t0=${EPOCHREALTIME/./}
    # Each line with the time it was read (µs); the CLI's stdout is a pipe, written line by line.
    set +e
    "$PRAETOR" exec -http-addr "$HOST:${HTTP[a1]}" -wait "$WAIT" "$COMMAND" 2>&1 \
        | while IFS= read -r line; do printf '%s %s\n' "${EPOCHREALTIME/./}" "$line"; done > "$out"
    code=${PIPESTATUS[0]}
    set -e
    t1=${EPOCHREALTIME/./}
    # The last "finished with exit code" line, and the distinct nodes that finished with 0.
    last=$(awk '/==> [^:]+: finished with exit code/ { t = $1 } END { print (t == "") ? 0 : t }' "$out")
    ok=$(awk '/==> [^:]+: finished with exit code 0$/ { sub(":", "", $3); seen[$3] = 1 } END { print length(seen) }' "$out")
    # 404: no key under the prefix; 200: a list of those left; anything else (no answer): unknown.
    left=$(curl -s -m 5 -o "$SCRATCH/left.json" -w '%{http_code}' "http://$HOST:${HTTP[a1]}/v1/kv/_rexec/?keys" || true)
    case "$left" in
        404) left=0 ;;
        200) left=$(jq length "$SCRATCH/left.json") ;;
        *) left="unknown($left)" ;;
    esac
    if ((last > 0)); then all_ms=$(((last - t0) / 1000)); else all_ms=timeout; fi
    wall_ms=$(((t1 - t0) / 1000))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$N" "$all_ms" "$wall_ms" "$ok" "$code" "$left" "$load" >> "$RAW"
    summary=$(grep -o '[0-9]* / [0-9]* node(s) completed / acknowledged' "$out" || true)
    log "round $round: all exited after ${all_ms} ms, wall ${wall_ms} ms; $ok node(s) with exit code 0; '$summary'; exit $code; _rexec keys left: $left; load $load"
    if [[ "$ok" != "$N" || "$code" != 0 || "$left" != 0 || "$summary" != "$N / $N node(s) completed / acknowledged" ]]; then
        log "round $round FAILED its check; output kept in $out (KEEP_LOGS=1 keeps it)"
        FAILED=1
    fi
done

STAMP=$(date -u '+%Y-%m-%d-%H%M')
mkdir -p "$BENCH_DIR/exec"
{
    echo "## Remote exec fan-out — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- $PRAETOR, commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) CPUs, no pinning"
    echo "- $N agents on loopback: 1 server (durable log) + $((N - 1)) client agents, \`\"disable_remote_exec\": false\`; \`praetor exec -wait $WAIT $COMMAND\` against the server"
    echo "- load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    fmt_report "$RAW"
    echo
    echo "Checks: $([[ "$FAILED" == 0 ]] && echo "every round: $N nodes exited 0, summary $N / $N, exit 0, no _rexec key left" || echo "FAILED in some round (see the raw rows)")"
} | tee "$RESULTS_DIR/exec-latest.md"
cp "$RAW" "$RESULTS_DIR/exec-latest.tsv"
cp "$RAW" "$BENCH_DIR/exec/figures-$STAMP.tsv"
log "raw rows: bench/exec/figures-$STAMP.tsv"
exit "$FAILED"
