#!/usr/bin/env bash
# Raft cluster benchmark: a 3-server Praetor cluster beside a 3-member etcd cluster (Debian's
# etcd-server), both on loopback with durable (fsynced) logs on disk, under the same load through
# each system's HTTP KV API, in one run. Per round, with the systems' order swapped every round:
#   PUT    — wrk at each of CONNS connections against the leader (SEND_TO=follower: a follower),
#            Praetor `PUT /v1/kv/bench/key-N`, etcd `POST /v3/kv/put` (v3 JSON gateway, base64);
#   GET    — at READ_CONNS connections, in three modes:
#              default:    Praetor's default (leader, under its lease) / etcd's default (linearizable)
#              consistent: Praetor `?consistent` (read-index)          / etcd's default (linearizable)
#              stale:      Praetor `?stale` (any server's own store)   / etcd `"serializable": true`
#   failover — under a light paced write load through a follower, kill -9 of the leader; the time
#            until a write succeeds through a surviving member (fresh attempts every POLL_MS ms at
#            each survivor); the killed member is restarted before the next round.
# Prints a markdown table (medians over rounds, Praetor/etcd ratios) and writes it to
# bench/results/raft-latest.md; raw rows: raft-latest.tsv (cells), raft-failover-latest.tsv.
# `bench/raft.sh --report CELLS.tsv [FAILOVER.tsv]` re-renders saved rows. See bench/README.md.
#
# PRAETOR_MODE=dev is the SMOKE mode only: Praetor is one `praetor agent -dev` (a single server,
# log in memory, no fsync) instead of the cluster, and its failover is not measured. It checks
# that the script and the load work; its figures are not the comparison the benchmark is for.
#
# Knobs (environment): DURATION (s per cell, 10), WARMUP (s before each cell, 2), ROUNDS (3),
# CONNS ("1 16 64"), READ_CONNS (16), READ_MODES ("default consistent stale"), SEND_TO (leader),
# FAILOVER (1; 0 skips it), FAILOVER_CONNS (4) and FAILOVER_DELAY_MS (10: each connection waits
# that long before each request), POLL_MS (10), FAILOVER_DEADLINE (s, 30), SETTLE (s after a
# restarted member is ready, 3), READY_DEADLINE (s, 60), PRAETOR_MODE (cluster; dev = smoke),
# RAFT_MULTIPLIER (Praetor's performance.raft_multiplier, 1: Consul's base Raft timings, whose 1 s
# election timeout is etcd's default too; empty: Praetor's default, 5),
# PRAETOR (the executable; default: the shipped Native AOT build of scripts/publish.sh in
# ARTIFACTS/native), PRAETOR_ARGS / ETCD_ARGS (extra flags for every member), SKIP_BUILD,
# SKIP_PRAETOR, SKIP_ETCD, ARTIFACTS (/tmp/art-bench), DATA_ROOT (the members' data dirs;
# default: the scratch folder under /tmp), PIN (1: every member on SERVER_CPU, wrk on LOAD_CPU),
# BENCH_KEYS (1000), BENCH_VALUE_SIZE (100), KEEP_LOGS (1 keeps the scratch folder).
# Exit codes: 1 etcd could not be measured, 2 Praetor could not be built or started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-"1 16 64"}
READ_CONNS=${READ_CONNS:-16}
READ_MODES=${READ_MODES:-"default consistent stale"}
SEND_TO=${SEND_TO:-leader}
FAILOVER=${FAILOVER:-1}
FAILOVER_CONNS=${FAILOVER_CONNS:-4}
FAILOVER_DELAY_MS=${FAILOVER_DELAY_MS:-10}
POLL_MS=${POLL_MS:-10}
FAILOVER_DEADLINE=${FAILOVER_DEADLINE:-30}
SETTLE=${SETTLE:-3}
READY_DEADLINE=${READY_DEADLINE:-60}
PRAETOR_MODE=${PRAETOR_MODE:-cluster}
PRAETOR_ARGS=${PRAETOR_ARGS:-}
RAFT_MULTIPLIER=${RAFT_MULTIPLIER-1}
ETCD_ARGS=${ETCD_ARGS:-}
SKIP_BUILD=${SKIP_BUILD:-0}
SKIP_PRAETOR=${SKIP_PRAETOR:-0}
SKIP_ETCD=${SKIP_ETCD:-0}
ARTIFACTS=${ARTIFACTS:-/tmp/art-bench}
KEEP_LOGS=${KEEP_LOGS:-0}
export BENCH_KEYS=${BENCH_KEYS:-1000}
export BENCH_VALUE_SIZE=${BENCH_VALUE_SIZE:-100}
export BENCH_LUA_DIR="$BENCH_DIR/lua"
HOST=127.0.0.1

LOG_TAG=raft
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"   # log, scratch/clean-up, pinning, start/stop by PID, take_port, measure, preload…

case "$PRAETOR_MODE" in cluster | dev) ;; *) log "PRAETOR_MODE must be cluster or dev, not $PRAETOR_MODE"; exit 1 ;; esac
case "$SEND_TO" in leader | follower) ;; *) log "SEND_TO must be leader or follower, not $SEND_TO"; exit 1 ;; esac

# ---------------------------------------------------------------- report
# fmt_report CELLS.tsv [FAILOVER.tsv]: the tables, from raw rows.
fmt_report() {
    awk -F'\t' -v conns_list="$CONNS" -v read_conns="$READ_CONNS" -v modes="$READ_MODES" "$REPORT_AWK"'
    function ms(us) { return (us != "") ? sprintf("%.2f", us / 1000) : "–" }
    function ratio(x) { return (x != "") ? sprintf("%.2f", x) : "–" }
    {
        k = $2 SUBSEP $3 SUBSEP $4; seen_round[$1] = 1
        rps[k] = rps[k] " " $5; p50[k] = p50[k] " " $6; p99[k] = p99[k] " " $7; cpu[k] = cpu[k] " " $9
        X[k, $1] = $5; P[k, $1] = $7; err[k] += $8; cnt[k]++
    }
    END {
        nc = split(conns_list, cs, " "); nm = split(modes, ms_, " ")
        for (s = 1; s <= 2; s++) {
            sys = (s == 1) ? "praetor" : "etcd"
            for (c = 1; c <= nc; c++) { k = sys SUBSEP "PUT" SUBSEP cs[c]; if (k in cnt) order[++n] = k }
            for (m = 1; m <= nm; m++) { k = sys SUBSEP "GET-" ms_[m] SUBSEP read_conns; if (k in cnt) order[++n] = k }
        }
        print "| system | op | conns | req/s | p50 ms | p99 ms | errors | members CPU | req/s ÷ etcd | p99 ÷ etcd |"
        print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        for (i = 1; i <= n; i++) {
            k = order[i]; split(k, f, SUBSEP); e = "etcd" SUBSEP f[2] SUBSEP f[3]
            RX[k] = (f[1] == "praetor") ? median(ratios(k, e, X)) : ""
            RP[k] = (f[1] == "praetor") ? median(ratios(k, e, P)) : ""
            printf "| %s | %s | %s | %.0f | %s | %s | %d | %d%% | %s | %s |\n", f[1], f[2], f[3], median(rps[k]),
                ms(median(p50[k])), ms(median(p99[k])), err[k], median(cpu[k]), ratio(RX[k]), ratio(RP[k])
        }
        print ""
        for (c = 1; c <= nc; c++) {
            k = "praetor" SUBSEP "PUT" SUBSEP cs[c]
            if (RX[k] == "") { printf "- Goal: PUT at %s connections, req/s ≥ etcd and p99 ≤ etcd: not measured\n", cs[c]; continue }
            printf "- Goal: PUT at %s connections, req/s ≥ etcd and p99 ≤ etcd: req/s %s× etcd → %s; p99 %s× etcd → %s\n", cs[c],
                ratio(RX[k]), (RX[k] >= 1) ? "met" : "NOT met", ratio(RP[k]), (RP[k] <= 1) ? "met" : "NOT met"
        }
    }' "$1"
    [[ -s "${2:-}" ]] || return 0
    echo
    awk -F'\t' "$REPORT_AWK"'
    {
        t[$2] = t[$2] " " $3; shown[$2] = shown[$2] (shown[$2] == "" ? "" : " / ") $3
        leaders[$2] = leaders[$2] (leaders[$2] == "" ? "" : " / ") $4 "→" $5
        poll[$2] = poll[$2] " " $6
    }
    END {
        print "| system | leader kill -9 → a write served by a survivor, median (ms) | rounds (ms) | old → new leader | poll interval, median (ms) |"
        print "| --- | ---: | --- | --- | ---: |"
        for (s = 1; s <= 2; s++) {
            sys = (s == 1) ? "praetor" : "etcd"
            if (sys in t) printf "| %s | %s | %s | %s | %s |\n", sys, median(t[sys]), shown[sys], leaders[sys], median(poll[sys])
        }
        if (("praetor" in t) && ("etcd" in t)) {
            p = median(t["praetor"]); e = median(t["etcd"])
            if (p != "" && e != "" && e > 0) printf "\n- Failover, Praetor ÷ etcd (medians): %.2f\n", p / e
        }
    }' "$2"
}

if [[ "${1:-}" == --report ]]; then
    shift
    fmt_report "$@"
    exit 0
fi

# RESULTS_DIR, SCRATCH, RAW; on exit every member is stopped by PID and SCRATCH removed.
bench_scratch raft
DATA_ROOT=${DATA_ROOT:-"$SCRATCH/data"}
FAILOVER_RAW="$SCRATCH/failover.tsv"
POLL_S=$(awk -v ms="$POLL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
# A pipe nobody writes to: `read -t` on it is a sleep without forking `sleep` (failover's poll loop).
exec {NAP_FD}<> <(:)
: > "$FAILOVER_RAW"
setup_pinning

# ---------------------------------------------------------------- members
# Members are named p1..p3 (Praetor) and e1..e3 (etcd); their ports are taken once, so a member
# restarted after a kill comes back on the same addresses with the same data dir.
declare -A HTTP=() PEER=() SERF_LAN=() SERVER=()
members_of() { if [[ "$1" == praetor ]]; then echo "${PRAETOR_MEMBERS[@]}"; else echo "${ETCD_MEMBERS[@]}"; fi; }
live_members() {
    local m
    for m in $(members_of "$1"); do [[ -z "${SERVER_PIDS[$m]:-}" ]] || echo "$m"; done
}
member_pids() {
    local m
    for m in $(live_members "$1"); do echo "${SERVER_PIDS[$m]}"; done
}
url_of() { echo "http://$HOST:${HTTP[$1]}"; }

if [[ "$PRAETOR_MODE" == dev ]]; then PRAETOR_MEMBERS=(p1); else PRAETOR_MEMBERS=(p1 p2 p3); fi
ETCD_MEMBERS=(e1 e2 e3)
for m in "${PRAETOR_MEMBERS[@]}"; do take_port; HTTP[$m]=$PORT; take_port; SERF_LAN[$m]=$PORT; take_port; SERVER[$m]=$PORT; done
ETCD_CLUSTER=""
for m in "${ETCD_MEMBERS[@]}"; do
    take_port; HTTP[$m]=$PORT; take_port; PEER[$m]=$PORT
    ETCD_CLUSTER="$ETCD_CLUSTER${ETCD_CLUSTER:+,}$m=http://$HOST:${PEER[$m]}"
done

# start_member_SYSTEM NAME: starts one member (by PID, on the server CPU), its data in DATA_ROOT/NAME.
start_member_praetor() {
    local m=$1 joins=() other config=()
    mkdir -p "$DATA_ROOT/$m"
    if [[ -n "$RAFT_MULTIPLIER" ]]; then
        printf '{"performance":{"raft_multiplier":%s}}\n' "$RAFT_MULTIPLIER" > "$SCRATCH/$m.json"
        config=(-config-file "$SCRATCH/$m.json")
    fi
    if [[ "$PRAETOR_MODE" == dev ]]; then
        # SMOKE mode only: one in-memory server, no cluster, no fsync.
        # shellcheck disable=SC2086 # PRAETOR_ARGS is a list of flags
        start_server "$m" "${HTTP[$m]}" "$PRAETOR" agent -dev -node "$m" -http-port "${HTTP[$m]}" -dns-port -1 \
            -serf-lan-port "${SERF_LAN[$m]}" -serf-wan-port -1 -server-port "${SERVER[$m]}" -log-level warn "${config[@]}" $PRAETOR_ARGS
        return
    fi
    for other in "${PRAETOR_MEMBERS[@]}"; do
        [[ "$other" == "$m" ]] || joins+=(-retry-join "$HOST:${SERF_LAN[$other]}")
    done
    # shellcheck disable=SC2086
    start_server "$m" "${HTTP[$m]}" "$PRAETOR" agent -server -bootstrap-expect "${#PRAETOR_MEMBERS[@]}" \
        -data-dir "$DATA_ROOT/$m" -node "$m" -bind "$HOST" -client "$HOST" -http-port "${HTTP[$m]}" -dns-port -1 \
        -serf-lan-port "${SERF_LAN[$m]}" -serf-wan-port -1 -server-port "${SERVER[$m]}" \
        -retry-interval 1s "${joins[@]}" -log-level warn "${config[@]}" $PRAETOR_ARGS
}
start_member_etcd() {
    local m=$1
    # Default durability: the WAL is fsynced before a write is acknowledged. A restarted member
    # finds its data dir and ignores the --initial-cluster* flags.
    # shellcheck disable=SC2086 # ETCD_ARGS is a list of flags
    start_server "$m" "${HTTP[$m]}" etcd --name "$m" --data-dir "$DATA_ROOT/$m" --logger zap --log-level warn \
        --listen-client-urls "http://$HOST:${HTTP[$m]}" --advertise-client-urls "http://$HOST:${HTTP[$m]}" \
        --listen-peer-urls "http://$HOST:${PEER[$m]}" --initial-advertise-peer-urls "http://$HOST:${PEER[$m]}" \
        --initial-cluster "$ETCD_CLUSTER" --initial-cluster-token "praetor-bench-$$" --initial-cluster-state new $ETCD_ARGS
}

# Readiness of READY_NAME (for wait_ready): it answers and knows a leader.
ready_praetor() { [[ $(curl -sf -m 1 "$(url_of "$READY_NAME")/v1/status/leader" 2>/dev/null) == \"?*\" ]]; }
ready_etcd() { curl -sf -m 1 "$(url_of "$READY_NAME")/health" 2>/dev/null | grep -q '"health":"true"'; }

# leader_SYSTEM: prints the name of the current leader, nothing if no live member names one.
leader_praetor() {
    local m answer port leader
    for m in $(live_members praetor); do
        answer=$(curl -sf -m 1 "$(url_of "$m")/v1/status/leader" 2>/dev/null) || continue
        port=${answer//\"/}; port=${port##*:}
        [[ -n "$port" ]] || continue
        # /v1/status/leader names the leader's server address ("127.0.0.1:<server port>").
        for leader in "${PRAETOR_MEMBERS[@]}"; do
            if [[ "${SERVER[$leader]}" == "$port" && -n "${SERVER_PIDS[$leader]:-}" ]]; then echo "$leader"; return 0; fi
        done
        return 0
    done
}
leader_etcd() {
    local m status id leader
    for m in $(live_members etcd); do
        # POST /v3/maintenance/status: this member's id and the leader's, as decimal strings.
        status=$(curl -sf -m 1 -X POST "$(url_of "$m")/v3/maintenance/status" -d '{}' 2>/dev/null) || continue
        id=$(sed -n 's/.*"member_id":"\([0-9]*\)".*/\1/p' <<< "$status")
        leader=$(sed -n 's/.*"leader":"\([0-9]*\)".*/\1/p' <<< "$status")
        if [[ -n "$id" && "$id" == "$leader" ]]; then echo "$m"; return 0; fi
    done
}
# wait_leader SYSTEM SECONDS: prints the leader once a live member is it, or fails.
wait_leader() {
    local deadline=$((SECONDS + $2)) leader
    while ((SECONDS < deadline)); do
        leader=$("leader_$1")
        if [[ -n "$leader" ]]; then echo "$leader"; return 0; fi
        sleep 0.2
    done
    log "$1: no leader within $2 s"
    return 1
}
# target_of SYSTEM: the member that takes the load (SEND_TO: the leader, or the first follower).
target_of() {
    local leader m
    leader=$(wait_leader "$1" "$READY_DEADLINE") || return 1
    if [[ "$SEND_TO" == leader ]]; then echo "$leader"; return 0; fi
    for m in $(live_members "$1"); do [[ "$m" == "$leader" ]] || { echo "$m"; return 0; }; done
    echo "$leader"   # a single server (-dev) is its own follower
}

# write_once SYSTEM MEMBER: one durable write through MEMBER, true if acknowledged with a 2xx
# (2 s bound). One curl and no other process: the failover poller runs it every POLL_MS ms.
write_once() {
    if [[ "$1" == praetor ]]; then
        curl -sf -o /dev/null -m 2 -X PUT -d x "http://$HOST:${HTTP[$2]}/v1/kv/bench/failover"
    else
        # key: base64("bench/failover"), value: base64("x")
        curl -sf -o /dev/null -m 2 -X POST -d '{"key":"YmVuY2gvZmFpbG92ZXI=","value":"eA=="}' "http://$HOST:${HTTP[$2]}/v3/kv/put"
    fi
}
# has_last_key SYSTEM MEMBER: the preload's last key can be read through MEMBER.
has_last_key() {
    local key="bench/key-$((BENCH_KEYS - 1))"
    if [[ "$1" == praetor ]]; then
        curl -sf -m 2 -o /dev/null "$(url_of "$2")/v1/kv/$key"
    else
        curl -sf -m 2 -X POST "$(url_of "$2")/v3/kv/range" -d "{\"key\":\"$(printf %s "$key" | base64 -w0)\"}" | grep -q '"kvs"'
    fi
}

# start_cluster SYSTEM: starts every member, waits for each to know a leader, preloads the keys.
start_cluster() {
    local sys=$1 m target
    log "$sys: starting $(members_of "$sys" | wc -w) member(s)"
    for m in $(members_of "$sys"); do "start_member_$sys" "$m" || return 1; done
    for m in $(members_of "$sys"); do
        READY_NAME=$m
        wait_ready "$m" "$READY_DEADLINE" "ready_$sys" || return 1
    done
    target=$(target_of "$sys") || return 1
    log "$sys: leader $("leader_$sys"); preloading $BENCH_KEYS keys"
    preload "$sys" "$sys-put.lua" "$(url_of "$target")" "has_last_key $sys $target"
}
stop_cluster() {
    local m
    for m in $(members_of "$1"); do stop_server "$m"; done
}

# ---------------------------------------------------------------- cells
# put_cells ROUND SYSTEM CONNS / get_cells ROUND SYSTEM MODE: one measured cell each (lib.sh's
# measure: warm-up, run, raw row); the CPU column is the sum over the live members.
put_cell() {
    local target
    target=$(target_of "$2") || return 0
    # shellcheck disable=SC2046 # one PID per word
    measure "$1" "$2" PUT "$3" "$2-put.lua" "$(url_of "$target")" $(member_pids "$2")
}
get_cell() {
    local target query="" serializable=0
    target=$(target_of "$2") || return 0
    case "$3" in
        consistent) query="?consistent" ;;
        stale) query="?stale"; serializable=1 ;;
    esac
    # shellcheck disable=SC2046
    BENCH_QUERY=$query BENCH_ETCD_SERIALIZABLE=$serializable \
        measure "$1" "$2" "GET-$3" "$READ_CONNS" "$2-get.lua" "$(url_of "$target")" $(member_pids "$2")
}

# failover ROUND SYSTEM: kill -9 of the leader under a light write load through a follower; the
# time until a write is acknowledged by a survivor. Every POLL_MS ms a fresh write is sent to each
# survivor without waiting for the earlier ones (a write sent to a member that still follows the
# dead leader can hang until its timeout), so the resolution is the loop's real interval (POLL_MS
# plus the spawning; recorded, since on a busy machine it is much longer).
# With RESTART=1 the killed member is restarted afterwards (same ports and data dir) and waited for.
failover() {
    local round=$1 sys=$2 restart=$3 leader survivors=() m t0 t1 deadline ok pollers=() p first ms new_leader
    local iterations=0 interval
    leader=$(wait_leader "$sys" "$READY_DEADLINE") || return 0
    for m in $(live_members "$sys"); do [[ "$m" == "$leader" ]] || survivors+=("$m"); done
    ok="$SCRATCH/failover-$sys-$round.ok"
    : > "$ok"
    # The light load is kept in SERVER_PIDS (not a member) so that the exit trap stops it too.
    BENCH_DELAY_MS=$FAILOVER_DELAY_MS "${ON_LOAD_CPU[@]}" wrk -t1 -c"$FAILOVER_CONNS" -d$((FAILOVER_DEADLINE + 30))s \
        --timeout 5s -s "$BENCH_LUA_DIR/$sys-put.lua" "$(url_of "${survivors[0]}")" > "$SCRATCH/failover-$sys-$round.wrk" 2>&1 &
    SERVER_PIDS[failover-load]=$!
    sleep 1
    log "$sys round $round: kill -9 of leader $leader (light load: $FAILOVER_CONNS connections, ${FAILOVER_DELAY_MS} ms apart, through ${survivors[0]})"
    # Times in µs from bash's own clock (EPOCHREALTIME): no fork per reading on a busy machine.
    t0=${EPOCHREALTIME/./}
    kill -KILL "${SERVER_PIDS[$leader]}"
    # Reaped at once (no user code runs after SIGKILL, so no write can succeed meanwhile), which
    # also keeps bash from reporting the killed job in the middle of the log.
    { wait "${SERVER_PIDS[$leader]}"; } 2>/dev/null || true
    unset "SERVER_PIDS[$leader]"
    deadline=$((t0 + FAILOVER_DEADLINE * 1000000))
    while [[ ! -s "$ok" ]] && ((${EPOCHREALTIME/./} < deadline)); do
        for m in "${survivors[@]}"; do
            { if write_once "$sys" "$m"; then echo "${EPOCHREALTIME/./}" >> "$ok"; fi; } &
            pollers+=($!)
        done
        iterations=$((iterations + 1))
        read -rt "$POLL_S" -u "$NAP_FD" || true   # sleeps without a fork
    done
    t1=${EPOCHREALTIME/./}
    interval=$(((t1 - t0) / iterations / 1000))
    for p in "${pollers[@]}"; do wait "$p" 2>/dev/null || true; done
    stop_server failover-load
    first=$(sort -n "$ok" | head -n 1)
    if [[ -n "$first" ]]; then ms=$(((first - t0) / 1000)); else ms=timeout; fi
    new_leader=$(wait_leader "$sys" 10) || new_leader=none
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$sys" "$ms" "$leader" "$new_leader" "$interval" >> "$FAILOVER_RAW"
    log "$sys round $round: a write served ${ms} ms after the kill (new leader $new_leader; ${#pollers[@]} attempts, one round every ${interval} ms)"
    [[ "$restart" == 1 ]] || return 0
    mv "$SCRATCH/$leader.log" "$SCRATCH/$leader.round-$round.log"
    "start_member_$sys" "$leader"
    READY_NAME=$leader
    wait_ready "$leader" "$READY_DEADLINE" "ready_$sys" || log "$sys: $leader did not come back"
    sleep "$SETTLE"
}

# ---------------------------------------------------------------- main
install_missing wrk:wrk curl:curl taskset:util-linux
[[ "$SKIP_ETCD" == 1 ]] || install_missing etcd:etcd-server
command -v wrk >/dev/null || { log "wrk is required"; exit 1; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# The shipped executable (Native AOT), as users run it: no JIT to warm up.
PRAETOR=${PRAETOR:-"$ARTIFACTS/native/praetor"}
SYSTEMS=()
PRAETOR_OK=1
ETCD_OK=1
if [[ "$SKIP_PRAETOR" != 1 ]]; then
    if [[ "$SKIP_BUILD" != 1 ]]; then
        log "building praetor (scripts/publish.sh, Native AOT)"
        build_native praetor || PRAETOR_OK=0
    fi
    if [[ "$PRAETOR_OK" == 1 && -x "$PRAETOR" ]] && start_cluster praetor; then
        SYSTEMS+=(praetor)
    else
        log "praetor not measured"
        PRAETOR_OK=0
        stop_cluster praetor
    fi
fi
if [[ "$SKIP_ETCD" != 1 ]]; then
    if command -v etcd >/dev/null && start_cluster etcd; then
        SYSTEMS+=(etcd)
    else
        log "etcd not measured"
        ETCD_OK=0
        stop_cluster etcd
    fi
fi

if ((${#SYSTEMS[@]} == 0)); then
    log "no system could be measured"
    [[ "$PRAETOR_OK" == 1 ]] && exit 1
    exit 2
fi

# Both clusters run all along, but only one is under load at a time; cells of the two systems
# follow each other for every setting, so each ratio compares figures taken seconds apart, and
# the order of the systems is swapped every round.
for round in $(seq 1 "$ROUNDS"); do
    order=("${SYSTEMS[@]}")
    if ((round % 2 == 0 && ${#order[@]} == 2)); then order=("${order[1]}" "${order[0]}"); fi
    log "round $round of $ROUNDS (${order[*]})"
    for conns in $CONNS; do
        for sys in "${order[@]}"; do put_cell "$round" "$sys" "$conns"; done
    done
    for mode in $READ_MODES; do
        for sys in "${order[@]}"; do get_cell "$round" "$sys" "$mode"; done
    done
    [[ "$FAILOVER" == 1 ]] || continue
    for sys in "${order[@]}"; do
        if [[ "$sys" == praetor && "$PRAETOR_MODE" == dev ]]; then
            log "praetor: failover not measured in the -dev smoke mode (one server)"
            continue
        fi
        failover "$round" "$sys" "$((round < ROUNDS))"
    done
done

{
    echo "## Raft cluster vs etcd — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    if [[ "$PRAETOR_MODE" == dev ]]; then
        echo "- **SMOKE MODE (PRAETOR_MODE=dev)**: Praetor is one \`praetor agent -dev\` (single server, log in memory, no fsync); its figures are NOT the 3-server comparison the goals are about."
    else
        echo "- Praetor: 3 servers (\`agent -server -bootstrap-expect 3\`), $PRAETOR, raft_multiplier ${RAFT_MULTIPLIER:-default}"
    fi
    echo "- commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); pinning: $PINNING"
    echo "- etcd: $(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p'), 3 members, default durability (WAL fsync), v3 JSON gateway"
    echo "- data dirs: $DATA_ROOT ($(stat -f -c %T "$DATA_ROOT" 2>/dev/null || echo '?')); load sent to the $SEND_TO; $BENCH_KEYS keys, ${BENCH_VALUE_SIZE}-byte values"
    echo "- wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}'), 1 thread; ${DURATION}s per cell after ${WARMUP}s warm-up; rounds: $ROUNDS (medians over rounds, ratios taken within a round, errors summed)"
    echo "- reads: default = Praetor's default mode / etcd linearizable; consistent = Praetor ?consistent / etcd linearizable; stale = Praetor ?stale / etcd serializable"
    echo "- failover: light load of $FAILOVER_CONNS connections ${FAILOVER_DELAY_MS} ms apart through a follower; a fresh write to each survivor every ${POLL_MS} ms"
    echo "- load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    fmt_report "$RAW" "$FAILOVER_RAW"
} | tee "$RESULTS_DIR/raft-latest.md"
cp "$RAW" "$RESULTS_DIR/raft-latest.tsv"
cp "$FAILOVER_RAW" "$RESULTS_DIR/raft-failover-latest.tsv"

[[ "$PRAETOR_OK" == 1 ]] || exit 2
[[ "$ETCD_OK" == 1 ]] || exit 1
