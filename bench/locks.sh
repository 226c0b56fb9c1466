#!/usr/bin/env bash
# Lock benchmark (issue 7): KV lock round trips per second through Praetor's HTTP API. One round
# trip is `PUT /v1/kv/<key>?acquire=<session>` answered `true`, then `PUT ?release=<session>`
# answered `true` (bench/lua/praetor-lock.lua: wrk with one thread per connection, each
# connection with its own session made beforehand through /v1/session/create on the agent it
# loads). Variants:
#   own       — at each of CONNS connections, each connection with its own key (no contention);
#   contended — at CONTENDED_CONNS connections, every connection on one key (an acquire answered
#               `false` is retried at once and is not a round trip).
# Setups, both running all along, only one under load at a time:
#   dev     — one `praetor agent -dev` (a single server, log in memory, no fsync);
#   cluster — 3 servers (`agent -server -bootstrap-expect 3`, durable logs in data dirs,
#             raft_multiplier RAFT_MULTIPLIER) and one client agent joined to them; the load goes
#             to each of CLUSTER_TARGETS in turn: leader, follower (forwards to the leader), client
#             (the client agent, which forwards to a server).
# Correctness, checked at the end for every (setup, target, variant): every key's Session is
# empty, and the sum of the keys' LockIndex (which counts acquisitions) lies between the
# acquires wrk saw answered `true` over all runs (warm-ups included) and that plus one in-flight
# request per connection per run (wrk drops its in-flight requests when a run ends; a dropped
# acquire may still take the lock, which the script's release after each run gives back).
# Prints a markdown table (medians over rounds) and writes it to bench/results/locks-latest.md;
# raw rows to bench/results/locks-latest.tsv and bench/locks/figures-<UTC date-time>.tsv.
# `bench/locks.sh --report ROWS.tsv` re-renders saved rows.
#
# Knobs (environment): DURATION (s per cell, 10), WARMUP (s before each cell, 2), ROUNDS (3),
# CONNS ("1 16 64"), CONTENDED_CONNS (16; empty: no contended cells), SETUPS ("dev cluster"),
# CLUSTER_TARGETS ("leader client"), RAFT_MULTIPLIER (1), READY_DEADLINE (s, 60),
# PRAETOR (the executable; default: the shipped Native AOT build of scripts/publish.sh in
# ARTIFACTS/native), SKIP_BUILD, ARTIFACTS (/tmp/art-bench), DATA_ROOT (the servers' data dirs;
# default: the scratch folder under /tmp), PIN (1: every agent on SERVER_CPU, wrk on LOAD_CPU),
# KEEP_LOGS (1 keeps the scratch folder).
# Exit codes: 1 a correctness check failed, 2 Praetor could not be built or started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-"1 16 64"}
CONTENDED_CONNS=${CONTENDED_CONNS-16}
SETUPS=${SETUPS:-"dev cluster"}
CLUSTER_TARGETS=${CLUSTER_TARGETS:-"leader client"}
RAFT_MULTIPLIER=${RAFT_MULTIPLIER:-1}
READY_DEADLINE=${READY_DEADLINE:-60}
SKIP_BUILD=${SKIP_BUILD:-0}
ARTIFACTS=${ARTIFACTS:-/tmp/art-bench}
KEEP_LOGS=${KEEP_LOGS:-0}
export BENCH_LUA_DIR="$BENCH_DIR/lua"
HOST=127.0.0.1

LOG_TAG=locks
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"   # log, scratch/clean-up, pinning, start/stop by PID, take_port, field…

for t in $CLUSTER_TARGETS; do
    case "$t" in leader | follower | client) ;; *) log "CLUSTER_TARGETS: leader, follower or client, not $t"; exit 1 ;; esac
done
for s in $SETUPS; do
    case "$s" in dev | cluster) ;; *) log "SETUPS: dev or cluster, not $s"; exit 1 ;; esac
done

# ---------------------------------------------------------------- report
# Raw row: round, setup, target, variant, conns, round trips/s, req/s, p50 µs, p99 µs, wrk errors,
# acquires true, acquires false, releases true, releases false, non-200 answers, agents' CPU %.
fmt_report() {
    awk -F'\t' "$REPORT_AWK"'
    function ms(us) { return (us != "") ? sprintf("%.2f", us / 1000) : "–" }
    {
        k = $2 SUBSEP $3 SUBSEP $4 SUBSEP $5
        if (!(k in cnt)) order[++n] = k
        cnt[k]++; rt[k] = rt[k] " " $6; rps[k] = rps[k] " " $7; p50[k] = p50[k] " " $8; p99[k] = p99[k] " " $9
        cpu[k] = cpu[k] " " $16; err[k] += $10 + $15; afalse[k] += $12; rfalse[k] += $14
        each[k] = each[k] (each[k] == "" ? "" : " / ") sprintf("%.0f", $6)
    }
    END {
        print "| setup | load sent to | variant | conns | round trips/s | (rounds) | requests/s | p50 ms (one request) | p99 ms (one request) | acquires `false` | errors | agents CPU |"
        print "| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        for (i = 1; i <= n; i++) {
            k = order[i]; split(k, f, SUBSEP)
            printf "| %s | %s | %s | %s | %.0f | %s | %.0f | %s | %s | %d | %d | %d%% |\n", f[1], f[2], f[3], f[4], median(rt[k]), each[k],
                median(rps[k]), ms(median(p50[k])), ms(median(p99[k])), afalse[k], err[k], median(cpu[k])
        }
    }' "$1"
}

if [[ "${1:-}" == --report ]]; then
    shift
    fmt_report "$@"
    exit 0
fi

# RESULTS_DIR, SCRATCH, RAW; on exit every agent is stopped by PID and SCRATCH removed.
bench_scratch locks
setup_pinning
DATA_ROOT=${DATA_ROOT:-"$SCRATCH/data"}

install_missing wrk:wrk curl:curl jq:jq taskset:util-linux
command -v wrk >/dev/null || { log "wrk is required"; exit 1; }
command -v jq >/dev/null || { log "jq is required"; exit 1; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# The shipped executable (Native AOT), as users run it: no JIT to warm up.
require_praetor

# ---------------------------------------------------------------- agents
declare -A HTTP SERF_LAN SERVER
SERVERS=(s1 s2 s3)
for m in d1 "${SERVERS[@]}" c1; do take_port; HTTP[$m]=$PORT; take_port; SERF_LAN[$m]=$PORT; take_port; SERVER[$m]=$PORT; done
url_of() { echo "http://$HOST:${HTTP[$1]}"; }

start_dev() {
    start_server d1 "${HTTP[d1]}" "$PRAETOR" agent -dev -node d1 -http-port "${HTTP[d1]}" -dns-port -1 \
        -serf-lan-port "${SERF_LAN[d1]}" -serf-wan-port -1 -server-port "${SERVER[d1]}" -log-level warn
}
# start_member NAME: a server (s*) or the client agent (c1), joined to the servers.
start_member() {
    local m=$1 joins=() other role=()
    mkdir -p "$DATA_ROOT/$m"
    printf '{"performance":{"raft_multiplier":%s}}\n' "$RAFT_MULTIPLIER" > "$SCRATCH/$m.json"
    for other in "${SERVERS[@]}"; do
        [[ "$other" == "$m" ]] || joins+=(-retry-join "$HOST:${SERF_LAN[$other]}")
    done
    [[ "$m" == c1 ]] || role=(-server -bootstrap-expect "${#SERVERS[@]}" -server-port "${SERVER[$m]}")
    start_server "$m" "${HTTP[$m]}" "$PRAETOR" agent "${role[@]}" -data-dir "$DATA_ROOT/$m" -node "$m" \
        -bind "$HOST" -client "$HOST" -http-port "${HTTP[$m]}" -dns-port -1 -serf-lan-port "${SERF_LAN[$m]}" \
        -serf-wan-port -1 -retry-interval 1s "${joins[@]}" -log-level warn -config-file "$SCRATCH/$m.json"
}
# Readiness (for wait_ready): READY_NAME answers and names a leader.
ready() { [[ $(curl -sf -m 1 "$(url_of "$READY_NAME")/v1/status/leader" 2>/dev/null) == \"?*\" ]]; }

# leader: the server /v1/status/leader names (its server address's port), nothing if none yet.
leader() {
    local answer port m
    answer=$(curl -sf -m 1 "$(url_of s1)/v1/status/leader" 2>/dev/null) || return 0
    port=${answer//\"/}; port=${port##*:}
    for m in "${SERVERS[@]}"; do [[ "${SERVER[$m]}" != "$port" ]] || echo "$m"; done
}
# agent_of SETUP TARGET: the agent that takes the load.
agent_of() {
    local l m
    if [[ "$1" == dev ]]; then echo d1; return 0; fi
    case "$2" in
        client) echo c1 ;;
        leader) leader ;;
        follower)
            l=$(leader)
            for m in "${SERVERS[@]}"; do [[ "$m" == "$l" ]] || { echo "$m"; return 0; }; done ;;
    esac
}
# pids_of SETUP: the setup's agents' PIDs (for the CPU column).
pids_of() {
    if [[ "$1" == dev ]]; then echo "${SERVER_PIDS[d1]}"; else
        local m
        for m in "${SERVERS[@]}" c1; do echo "${SERVER_PIDS[$m]}"; done
    fi
}

# make_sessions AGENT COUNT: prints COUNT new session IDs made through AGENT (retried for up to
# READY_DEADLINE s: a client agent's node is in the catalog only once the leader registered it).
make_sessions() {
    local agent=$1 count=$2 id i deadline=$((SECONDS + READY_DEADLINE))
    for i in $(seq 1 "$count"); do
        while :; do
            id=$(curl -sf -m 5 -X PUT -d "{\"Name\":\"bench-lock-$i\"}" "$(url_of "$agent")/v1/session/create" 2>/dev/null | jq -r .ID 2>/dev/null) || id=""
            [[ -z "$id" || "$id" == null ]] || break
            ((SECONDS < deadline)) || { log "$agent: no session could be made within ${READY_DEADLINE}s"; return 1; }
            sleep 0.5
        done
        echo "$id"
    done
}

# ---------------------------------------------------------------- cells
declare -A SESSIONS COUNTED INFLIGHT
MAX_CONNS=$(printf '%s\n' $CONNS $CONTENDED_CONNS | sort -n | tail -n 1)

# prefix_of SETUP TARGET VARIANT: the keys of one (setup, target, variant), apart from the others'.
prefix_of() { echo "bench/$1-$2/$3-"; }

# release_all AGENT PREFIX: gives back every lock still held under PREFIX (the holder's session
# releases it), after a run that wrk ended with a lock taken or an acquire in flight.
release_all() {
    local agent=$1 prefix=$2 key session
    curl -sf -m 5 "$(url_of "$agent")/v1/kv/$prefix?recurse" 2>/dev/null \
        | jq -r '.[] | select(.Session != null and .Session != "") | "\(.Key) \(.Session)"' 2>/dev/null \
        | while read -r key session; do
            curl -sf -m 5 -o /dev/null -X PUT "$(url_of "$agent")/v1/kv/$key?release=$session" || true
        done
}

# run_lock CONNS SECONDS VARIANT SETUP TARGET AGENT: one wrk run; sets RESULT to its RESULT line and
# adds its acquires answered `true` to COUNTED (and CONNS to INFLIGHT) for the correctness check.
# Not run in a subshell: it updates those counts.
run_lock() {
    local conns=$1 seconds=$2 variant=$3 setup=$4 target=$5 agent=$6 keys k acquired
    if [[ "$variant" == contended ]]; then keys=1; else keys=$conns; fi
    k="$setup/$target/$variant"
    BENCH_SESSIONS="${SESSIONS[$setup/$target]}" BENCH_LOCK_KEYS=$keys BENCH_LOCK_PREFIX=$(prefix_of "$setup" "$target" "$variant") \
        timeout $((seconds + 30)) "${ON_LOAD_CPU[@]}" wrk -t"$conns" -c"$conns" -d"${seconds}s" --timeout 5s \
        -s "$BENCH_LUA_DIR/praetor-lock.lua" "$(url_of "$agent")" > "$SCRATCH/wrk.out" 2>&1 || true
    cat "$SCRATCH/wrk.out" >> "$SCRATCH/wrk.log"
    RESULT=$(grep '^RESULT ' "$SCRATCH/wrk.out" | tail -n 1) || RESULT=""
    release_all "$agent" "$(prefix_of "$setup" "$target" "$variant")"
    acquired=$(field acquired "$RESULT")
    COUNTED[$k]=$((${COUNTED[$k]:-0} + ${acquired:-0}))
    INFLIGHT[$k]=$((${INFLIGHT[$k]:-0} + conns))
}

# cell ROUND SETUP TARGET VARIANT CONNS: warm-up, measured run, one raw row.
cell() {
    local round=$1 setup=$2 target=$3 variant=$4 conns=$5 agent result before after started elapsed cpu pids
    agent=$(agent_of "$setup" "$target")
    [[ -n "$agent" ]] || { log "$setup $target: no agent to load (no leader?)"; return 0; }
    pids=$(pids_of "$setup")
    run_lock "$conns" "$WARMUP" "$variant" "$setup" "$target" "$agent"
    # shellcheck disable=SC2086 # one PID per word
    before=$(pids_cpu_ticks $pids)
    started=$(date +%s%N)
    run_lock "$conns" "$DURATION" "$variant" "$setup" "$target" "$agent"
    result=$RESULT
    # shellcheck disable=SC2086
    after=$(pids_cpu_ticks $pids)
    elapsed=$(($(date +%s%N) - started))
    if [[ -z "$result" ]]; then
        log "$setup $target $variant c=$conns: wrk reported nothing (KEEP_LOGS=1 keeps its output)"
        return 0
    fi
    cpu=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v ns="$elapsed" 'BEGIN { printf "%.0f", 100 * t / hz / (ns / 1e9) }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$setup" "$target" "$variant" "$conns" \
        "$(field rtps "$result")" "$(field rps "$result")" "$(field p50_us "$result")" "$(field p99_us "$result")" \
        "$(field errors "$result")" "$(field acquired "$result")" "$(field acquire_false "$result")" \
        "$(field released "$result")" "$(field release_false "$result")" "$(field bad "$result")" "$cpu" >> "$RAW"
    log "$setup via $target ($agent) $variant c=$conns: $result agents_cpu=${cpu}%"
}

# check SETUP TARGET VARIANT: the correctness check of one (setup, target, variant); 1 if it failed.
check() {
    local setup=$1 target=$2 variant=$3 k="$1/$2/$3" agent listing held sum counted inflight
    agent=$(agent_of "$setup" "$target")
    release_all "$agent" "$(prefix_of "$setup" "$target" "$variant")"
    listing=$(curl -sf -m 5 "$(url_of "$agent")/v1/kv/$(prefix_of "$setup" "$target" "$variant")?recurse&consistent") || listing="[]"
    held=$(jq '[.[] | select(.Session != null and .Session != "")] | length' <<< "$listing")
    sum=$(jq '[.[].LockIndex] | add // 0' <<< "$listing")
    counted=${COUNTED[$k]:-0}
    inflight=${INFLIGHT[$k]:-0}
    CHECKS+=("- $setup via $target, $variant: $(jq length <<< "$listing") key(s), $held still held; LockIndex sum $sum, acquires answered \`true\` $counted (+ at most $inflight dropped in flight)")
    if ((held == 0 && counted > 0 && sum >= counted && sum <= counted + inflight)); then return 0; fi
    log "CHECK FAILED: $setup via $target, $variant: held $held, LockIndex sum $sum, counted $counted, in flight at most $inflight"
    return 1
}

# ---------------------------------------------------------------- main
SETUP_OK=()
for setup in $SETUPS; do
    if [[ "$setup" == dev ]]; then
        start_dev
        READY_NAME=d1; wait_ready d1 "$READY_DEADLINE" ready || exit 2
        SESSIONS[dev/dev]=$(make_sessions d1 "$MAX_CONNS" | tr '\n' ' ') || exit 2
        SETUP_OK+=(dev)
        continue
    fi
    for m in "${SERVERS[@]}" c1; do start_member "$m"; done
    for m in "${SERVERS[@]}" c1; do READY_NAME=$m; wait_ready "$m" "$READY_DEADLINE" ready || exit 2; done
    log "cluster: leader $(leader)"
    for target in $CLUSTER_TARGETS; do
        SESSIONS[cluster/$target]=$(make_sessions "$(agent_of cluster "$target")" "$MAX_CONNS" | tr '\n' ' ') || exit 2
    done
    SETUP_OK+=(cluster)
done

targets_of() { if [[ "$1" == dev ]]; then echo dev; else echo "$CLUSTER_TARGETS"; fi; }
for round in $(seq 1 "$ROUNDS"); do
    log "round $round of $ROUNDS"
    for setup in "${SETUP_OK[@]}"; do
        for target in $(targets_of "$setup"); do
            for conns in $CONNS; do cell "$round" "$setup" "$target" own "$conns"; done
            for conns in $CONTENDED_CONNS; do cell "$round" "$setup" "$target" contended "$conns"; done
        done
    done
done

CHECKS=()
FAILED=0
for setup in "${SETUP_OK[@]}"; do
    for target in $(targets_of "$setup"); do
        check "$setup" "$target" own || FAILED=1
        [[ -z "$CONTENDED_CONNS" ]] || check "$setup" "$target" contended || FAILED=1
    done
done

STAMP=$(date -u '+%Y-%m-%d-%H%M')
mkdir -p "$BENCH_DIR/locks"
{
    echo "## Lock round trips — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- $PRAETOR, commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) CPUs; pinning: $PINNING"
    echo "- dev: one \`agent -dev\` (log in memory); cluster: 3 servers (durable logs in $DATA_ROOT, raft_multiplier $RAFT_MULTIPLIER) + 1 client agent"
    echo "- one round trip = acquire answered \`true\` + release answered \`true\`; wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}'), one thread per connection; ${DURATION}s per cell after ${WARMUP}s warm-up; rounds: $ROUNDS (medians; counts summed)"
    echo "- load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    fmt_report "$RAW"
    echo
    echo "Correctness ($([[ "$FAILED" == 0 ]] && echo passed || echo FAILED)):"
    printf '%s\n' "${CHECKS[@]}"
} | tee "$RESULTS_DIR/locks-latest.md"
cp "$RAW" "$RESULTS_DIR/locks-latest.tsv"
cp "$RAW" "$BENCH_DIR/locks/figures-$STAMP.tsv"
log "raw rows: bench/locks/figures-$STAMP.tsv"
exit "$FAILED"
