#!/usr/bin/env bash
# KV HTTP load benchmark: Praetor's KV GET and PUT at 1, 16 and 64 connections, measured in the
# same run as a hello-world Kestrel app (the ceiling on this machine) and, when Debian's
# etcd-server is installed, etcd's v3 HTTP/JSON gateway under the equivalent load.
# Prints a markdown table and writes it to bench/results/latest.md. See bench/README.md.
#
# Knobs (environment): DURATION (s per cell, 10), WARMUP (s before each cell, 2),
# PREWARM (s of load per script when a .NET server starts, 10), CONNS ("1 16 64"), ROUNDS (1; with more, each figure is the median over rounds),
# PIN (1: server on SERVER_CPU, wrk on LOAD_CPU), SKIP_BUILD (1: use what ARTIFACTS holds),
# SKIP_ETCD (1), ARTIFACTS (/tmp/art-bench), PRAETOR_ARGS (extra `agent` flags),
# KEEP_LOGS (1: keep the scratch folder with server and wrk output).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
PREWARM=${PREWARM:-10}
CONNS=${CONNS:-"1 16 64"}
ROUNDS=${ROUNDS:-1}
PIN=${PIN:-1}
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
SKIP_ETCD=${SKIP_ETCD:-0}
ARTIFACTS=${ARTIFACTS:-/tmp/art-bench}
PRAETOR_ARGS=${PRAETOR_ARGS:-}
KEEP_LOGS=${KEEP_LOGS:-0}
export BENCH_KEYS=${BENCH_KEYS:-1000}
export BENCH_VALUE_SIZE=${BENCH_VALUE_SIZE:-100}
export BENCH_LUA_DIR="$BENCH_DIR/lua"

HOST=127.0.0.1
HELLO_PORT=${HELLO_PORT:-18600}
PRAETOR_PORT=${PRAETOR_PORT:-18500}
ETCD_PORT=${ETCD_PORT:-18379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-18380}

LOG_TAG=bench
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"   # log, scratch/clean-up, pinning, start/stop by PID, wait_ready, run_wrk, measure, preload…
# RESULTS_DIR, SCRATCH, RAW; on exit the servers are stopped, etcd's data and SCRATCH removed.
bench_scratch bench "/dev/shm/praetor-bench-etcd.$$"

setup_pinning

# ---------------------------------------------------------------- dependencies
ensure_deps() {
    local wanted=(wrk:wrk curl:curl taskset:util-linux)
    [[ "$SKIP_ETCD" == 1 ]] || wanted+=(etcd:etcd-server)
    install_missing "${wanted[@]}"
    command -v wrk >/dev/null || { log "wrk is required"; exit 1; }
}

# ---------------------------------------------------------------- targets
# Each start_* function starts its server, waits for it and preloads the keys; it returns
# non-zero (after stopping the server) when the target cannot be measured.
hello_ready() { curl -sf -m 1 "http://$HOST:$HELLO_PORT/" > /dev/null; }
start_hello() {
    start_server hello "$HELLO_PORT" dotnet "$HELLO_DLL" --urls "http://$HOST:$HELLO_PORT" || return 1
    wait_ready hello 30 hello_ready || { stop_server hello; return 1; }
    prewarm hello-get.lua "http://$HOST:$HELLO_PORT"
}

praetor_ready() {
    [[ $(curl -s -m 1 -X PUT -d ready "http://$HOST:$PRAETOR_PORT/v1/kv/bench/ready" 2>/dev/null) == true ]]
}
praetor_has_last_key() {
    curl -sf -m 2 -o /dev/null "http://$HOST:$PRAETOR_PORT/v1/kv/bench/key-$((BENCH_KEYS - 1))"
}
start_praetor() {
    # shellcheck disable=SC2086 # PRAETOR_ARGS is a list of flags
    start_server praetor "$PRAETOR_PORT" \
        dotnet "$PRAETOR_DLL" agent -dev -http-port "$PRAETOR_PORT" $PRAETOR_ARGS || return 1
    wait_ready praetor 60 praetor_ready || { stop_server praetor; return 1; }
    preload praetor praetor-put.lua "http://$HOST:$PRAETOR_PORT" praetor_has_last_key \
        || { stop_server praetor; return 1; }
    prewarm praetor-get.lua "http://$HOST:$PRAETOR_PORT"
    prewarm praetor-put.lua "http://$HOST:$PRAETOR_PORT"
}

etcd_ready() { curl -sf -m 1 "http://$HOST:$ETCD_PORT/health" | grep -q '"true"'; }
etcd_has_last_key() {
    local key
    key=$(printf 'bench/key-%d' $((BENCH_KEYS - 1)) | base64 -w0)
    curl -sf -m 2 -X POST "http://$HOST:$ETCD_PORT/v3/kv/range" -d "{\"key\":\"$key\"}" | grep -q '"kvs"'
}
start_etcd() {
    local data="/dev/shm/praetor-bench-etcd.$$"
    rm -rf "$data"
    # Data on tmpfs: Praetor's -dev keeps its log in memory, so etcd's fsyncs should not be
    # what the comparison measures.
    start_server etcd "$ETCD_PORT" \
        etcd --name bench --data-dir "$data" --log-level warn \
        --listen-client-urls "http://$HOST:$ETCD_PORT" --advertise-client-urls "http://$HOST:$ETCD_PORT" \
        --listen-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
        --initial-advertise-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
        --initial-cluster "bench=http://$HOST:$ETCD_PEER_PORT" || return 1
    wait_ready etcd 30 etcd_ready || { stop_server etcd; return 1; }
    preload etcd etcd-put.lua "http://$HOST:$ETCD_PORT" etcd_has_last_key || { stop_server etcd; return 1; }
    # No JIT to settle in Go: the per-cell warm-up is enough.
}

# prewarm SCRIPT URL: load at 64 connections right after start-up, discarded. .NET's tiered JIT
# (with PGO: tier 0, instrumented, then optimised) goes on recompiling hot methods for 10-20 s
# under load on a busy 2-core machine (perf showed libclrjit at 8-12 % of the server's CPU
# 12 s in, under 0.2 % after 16 s); the 2 s warm-up before each cell alone measured partly
# unoptimised code in the first cells.
prewarm() {
    ((PREWARM > 0)) || return 0
    run_wrk 64 "$PREWARM" "$1" "$2" > /dev/null
}

# ---------------------------------------------------------------- report
fmt_report() {
    awk -F'\t' -v conns_list="$CONNS" "$REPORT_AWK"'
    function ms(us) { return sprintf("%.2f", us / 1000) }
    {
        k = $2 SUBSEP $3 SUBSEP $4; seen_round[$1] = 1
        rps[k] = rps[k] " " $5; p50[k] = p50[k] " " $6; p99[k] = p99[k] " " $7; cpu[k] = cpu[k] " " $9
        X[k, $1] = $5; if ($9 > 0) { EF[k, $1] = $5 * 100 / $9; eff[k] = eff[k] " " EF[k, $1] }
        err[k] += $8; cnt[k]++
    }
    END {
        # Rows grouped by target and operation, whatever order the cells ran in.
        nt = split("hello praetor etcd", targets, " "); nc = split(conns_list, cs, " ")
        for (t = 1; t <= nt; t++) for (o = 1; o <= 2; o++) for (c = 1; c <= nc; c++) {
            k = targets[t] SUBSEP (o == 1 ? "GET" : "PUT") SUBSEP cs[c]
            if (k in cnt) order[++n] = k
        }
        print "| target | op | conns | req/s | p50 ms | p99 ms | errors | server CPU | req per CPU-s | ÷ hello | ÷ hello, per CPU-s | ÷ etcd |"
        print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        for (i = 1; i <= n; i++) {
            k = order[i]; split(k, f, SUBSEP)
            h = "hello" SUBSEP "GET" SUBSEP f[3]; e = "etcd" SUBSEP f[2] SUBSEP f[3]
            if (f[1] == "hello") { VH[k] = 1; VHE[k] = 1 } else { VH[k] = median(ratios(k, h, X)); VHE[k] = median(ratios(k, h, EF)) }
            VE[k] = (f[1] == "praetor") ? median(ratios(k, e, X)) : ""
            printf "| %s | %s | %s | %.0f | %s | %s | %d | %d%% | %.0f | %s | %s | %s |\n", f[1], f[2], f[3], median(rps[k]),
                ms(median(p50[k])), ms(median(p99[k])), err[k], median(cpu[k]), median(eff[k]), pct(VH[k]), pct(VHE[k]), pct(VE[k])
        }
        print ""
        goal("KV GET at 64 connections", "praetor" SUBSEP "GET" SUBSEP "64", 0.5)
        goal("KV PUT (dev mode) at 64 connections", "praetor" SUBSEP "PUT" SUBSEP "64", 0.3)
    }
    function goal(what, k, target) {
        if (VH[k] == "") { printf "- Goal: %s ≥ %d%% of hello-world: not measured\n", what, 100 * target; return }
        printf "- Goal: %s ≥ %d%% of hello-world: %s (per CPU-second: %s) → %s\n", what, 100 * target, pct(VH[k]), pct(VHE[k]), (VH[k] >= target) ? "met" : "NOT met"
    }' "$@"
}

# bench/run.sh --report FILE.tsv...: prints the table for raw rows saved by earlier runs.
if [[ "${1:-}" == --report ]]; then
    shift
    fmt_report "$@"
    exit 0
fi

# ---------------------------------------------------------------- main
ensure_deps
cd "$SCRATCH"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

HELLO_DLL="$ARTIFACTS/bin/HelloKestrel/release/HelloKestrel.dll"
PRAETOR_DLL=${PRAETOR_DLL:-"$ARTIFACTS/bin/Praetor.Cli/release/praetor.dll"}
if [[ "$SKIP_BUILD" != 1 ]]; then
    log "building HelloKestrel and Praetor.Cli (Release) into $ARTIFACTS"
    build_release "$BENCH_DIR/HelloKestrel" hello || exit 1
    if ! build_release "$REPO/src/Praetor.Cli" praetor; then
        log "Praetor.Cli did not build; its rows will be missing"
        rm -f "$PRAETOR_DLL"
    fi
fi

PRAETOR_OK=1
ETCD_NOTE="etcd: $(etcd --version 2>/dev/null | head -n 1 || true)"
command -v etcd >/dev/null || ETCD_NOTE="etcd: not installed, not measured"
[[ "$SKIP_ETCD" == 1 ]] && ETCD_NOTE="etcd: skipped (SKIP_ETCD=1)"

# All servers of a round run at once, each on the server core, but only one is under load at a
# time: for each connection count the cells follow each other (hello, praetor GET/PUT, etcd
# GET/PUT), so each ratio compares figures taken seconds apart, not minutes, and drift in the
# machine's background load touches both sides of it alike. An idle server costs next to nothing.
for round in $(seq 1 "$ROUNDS"); do
    log "round $round of $ROUNDS"
    start_hello || log "hello-world ceiling not measured"
    if [[ -f "$PRAETOR_DLL" ]]; then
        start_praetor || { log "praetor not measured"; PRAETOR_OK=0; }
    else
        log "praetor not measured: $PRAETOR_DLL is missing"
        PRAETOR_OK=0
    fi
    if [[ "$SKIP_ETCD" != 1 ]] && command -v etcd >/dev/null; then
        start_etcd || log "etcd not measured"
    fi
    for conns in $CONNS; do
        [[ -z "${SERVER_PIDS[hello]:-}" ]] || measure "$round" hello GET "$conns" hello-get.lua "http://$HOST:$HELLO_PORT"
        if [[ -n "${SERVER_PIDS[praetor]:-}" ]]; then
            measure "$round" praetor GET "$conns" praetor-get.lua "http://$HOST:$PRAETOR_PORT"
            measure "$round" praetor PUT "$conns" praetor-put.lua "http://$HOST:$PRAETOR_PORT"
        fi
        if [[ -n "${SERVER_PIDS[etcd]:-}" ]]; then
            measure "$round" etcd GET "$conns" etcd-get.lua "http://$HOST:$ETCD_PORT"
            measure "$round" etcd PUT "$conns" etcd-put.lua "http://$HOST:$ETCD_PORT"
        fi
    done
    stop_all
    rm -rf "/dev/shm/praetor-bench-etcd.$$"
done

{
    echo "## Praetor KV HTTP benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); pinning: $PINNING"
    echo "- wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}'), 1 thread; ${DURATION}s per cell after ${WARMUP}s warm-up; $BENCH_KEYS keys, ${BENCH_VALUE_SIZE}-byte values; rounds: $ROUNDS (figures are medians over rounds, errors summed)"
    echo "- dotnet $(dotnet --version); $ETCD_NOTE (v3 JSON gateway, data on tmpfs)"
    echo "- load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) (anything else busy on the machine skews every row)"
    echo
    fmt_report "$RAW"
} | tee "$RESULTS_DIR/latest.md"
cp "$RAW" "$RESULTS_DIR/latest.tsv"

[[ "$PRAETOR_OK" == 1 ]] || exit 2
