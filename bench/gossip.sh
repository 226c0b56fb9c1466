#!/usr/bin/env bash
# Gossip benchmark: N Praetor agents (-dev) and N Debian `serf` agents on loopback, side by side.
# For each system: start N agents (not joined), then
#   join   — every agent i>1 joins agent 1 at once; time until every agent lists N alive members
#            (agents polled one after the other, each system with its own CLI: `serf members`,
#            `praetor members`);
#   event  — one user event fired at agent 1; time until every agent's handler ran for it;
#   kill   — kill -9 of agent N, at a random point of the probe period; time until every other
#            agent lists it failed (polled likewise), until every other agent's handler ran
#            for member-failed, and until the first and the last other agent logged the failure
#            (each agent's own line for it, timed as it arrived: detection without the sweep);
#   RSS    — VmRSS of every agent (from /proc) once the cluster has converged.
# Event (and member-failed handler) times come from the handlers' own timestamps (bench/gossip/handler.sh), minus the wall-clock
# time just before the join/fire/kill; so they include each agent's handler spawn latency.
# Knobs: N (20), ROUNDS (1; a fresh pair of clusters per round, medians reported),
# SERF_PROFILE (lan), PRAETOR_TIMINGS (serf), SERF_TAGS (consul), SKIP_BUILD, ARTIFACTS, PRAETOR (the executable; default: built by
# scripts/publish.sh into ARTIFACTS/native), KEEP_LOGS, DEADLINE (seconds per phase, 60),
# FAILED_HANDLERS (1; 0: no member-failed handler on either side, so no handler processes start
# while the kill's sweep runs, and the handler column reads "off").
# Writes bench/results/gossip-latest.tsv and gossip-latest.md. Stops only the PIDs it started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
N=${N:-20}
ROUNDS=${ROUNDS:-1}
SERF_PROFILE=${SERF_PROFILE:-lan}
DEADLINE=${DEADLINE:-60}
SKIP_BUILD=${SKIP_BUILD:-0}
ARTIFACTS=${ARTIFACTS:-/tmp/art-bench}
KEEP_LOGS=${KEEP_LOGS:-0}
FAILED_HANDLERS=${FAILED_HANDLERS:-1}
HOST=127.0.0.1
HANDLER="$BENCH_DIR/gossip/handler.sh"
HANDLED=user:bench
[[ "$FAILED_HANDLERS" == 0 ]] || HANDLED="member-failed,$HANDLED"

LOG_TAG=gossip
source "$BENCH_DIR/lib.sh"
bench_scratch gossip
ON_SERVER_CPU=()   # no pinning: 2N agents share every CPU

install_missing serf:serf curl:curl
command -v serf >/dev/null || { log "serf is missing"; exit 1; }
# The shipped executable (Native AOT), as users run it.
require_praetor

now() { date +%s.%N; }

# PRAETOR_TIMINGS=serf (default): the Praetor agents get `gossip_lan` set to the serf profile's
# timings, so both sides run the same protocol parameters. With SERF_PROFILE=lan (memberlist's
# DefaultLANConfig: gossip to 3 every 200 ms, probe every 1 s with a 500 ms timeout, retransmit
# multiplier 4, suspicion multiplier 4) every memberlist parameter is then equal, push/pull
# (30 s), indirect probes (3) and TCP timeout (10 s) included, as those are Praetor's LAN
# defaults; with `local` (gossip every 100 ms, probe 1 s / 200 ms, multipliers 2 and 3) those
# three still differ (serf 15 s, 1, 1 s). PRAETOR_TIMINGS=dev keeps -dev's own faster timings.
PRAETOR_TIMINGS=${PRAETOR_TIMINGS:-serf}
SERF_TAGS=${SERF_TAGS:-consul}
[[ "$SERF_TAGS" == consul || "$SERF_TAGS" == none ]] || { log "SERF_TAGS must be consul or none, not $SERF_TAGS"; exit 1; }
case "$PRAETOR_TIMINGS/$SERF_PROFILE" in
    serf/local) PRAETOR_GOSSIP_LAN=',"gossip_lan":{"gossip_nodes":3,"gossip_interval":"100ms","probe_interval":"1s","probe_timeout":"200ms","retransmit_mult":2,"suspicion_mult":3}' ;;
    serf/lan) PRAETOR_GOSSIP_LAN=',"gossip_lan":{"gossip_nodes":3,"gossip_interval":"200ms","probe_interval":"1s","probe_timeout":"500ms","retransmit_mult":4,"suspicion_mult":4}' ;;
    dev/*) PRAETOR_GOSSIP_LAN='' ;;
    *) log "PRAETOR_TIMINGS must be serf (with SERF_PROFILE local or lan) or dev, not $PRAETOR_TIMINGS with $SERF_PROFILE"; exit 1 ;;
esac

# ---------------------------------------------------------------- per-system start/join/fire
declare -A HTTP LAN RPC BIND
start_praetor() {   # start_praetor DIR I
    local dir=$1 i=$2 name="p$2"
    take_port; HTTP[$name]=$PORT; take_port; LAN[$name]=$PORT
    printf '{"event_handlers":["%s=%s %s"]%s}\n' "$HANDLED" "$HANDLER" "$dir" "$PRAETOR_GOSSIP_LAN" > "$dir/$name.json"
    start_server --stamped "$name" "${HTTP[$name]}" "$PRAETOR" agent -dev -node "$name" \
        -http-port "${HTTP[$name]}" -dns-port -1 -server-port -1 -serf-lan-port "${LAN[$name]}" -serf-wan-port -1 \
        -config-file "$dir/$name.json" -log-level info
}
ready_praetor() { curl -sf -m 1 "http://$HOST:${HTTP[$READY_NAME]}/v1/agent/self" > /dev/null; }
join_praetor() { curl -sf -m 10 -X PUT "http://$HOST:${HTTP[p$1]}/v1/agent/join/$HOST:${LAN[p1]}" > /dev/null; }
fire_praetor() { curl -sf -m 10 -X PUT "http://$HOST:${HTTP[p1]}/v1/event/fire/bench" -d x > /dev/null; }
# Each system is polled with its own CLI, one process per call, as a user would look.
alive_praetor() { "$PRAETOR" members -http-addr "$HOST:${HTTP[p$1]}" -status alive | grep -c alive; }
# failed_praetor I NAME: 1 if agent I lists NAME as failed.
failed_praetor() { "$PRAETOR" members -http-addr "$HOST:${HTTP[p$1]}" -status failed | grep -c "^$2 "; }

# SERF_TAGS=consul (default): each serf agent carries the tags a Praetor -dev agent gossips
# (Consul's server tags, the same keys and value lengths), so both sides' alive messages are the
# same size and as many fit in a gossip packet; none: serf's bare agents (smaller messages).
consul_tags() {
    local tag
    for tag in acls=0 bootstrap=1 build=1.20.0:praetor-0.1.0 dc=dc1 ft_fs=1 ft_si=1 \
        "id=$(cat /proc/sys/kernel/random/uuid)" port=8300 raft_vsn=3 role=consul segment= vsn=2 vsn_max=3 vsn_min=2; do
        printf -- '-tag %s\n' "$tag"
    done
}
start_serf() {   # start_serf DIR I
    local dir=$1 i=$2 name="s$2"
    take_port; BIND[$name]=$PORT; take_port; RPC[$name]=$PORT
    local tags=()
    [[ "$SERF_TAGS" != consul ]] || tags=($(consul_tags))
    start_server --stamped "$name" "${RPC[$name]}" serf agent -node "$name" -bind "$HOST:${BIND[$name]}" \
        -rpc-addr "$HOST:${RPC[$name]}" -profile "$SERF_PROFILE" -log-level info "${tags[@]}" \
        -event-handler "$HANDLED=$HANDLER $dir"
}
ready_serf() { serf members -rpc-addr "$HOST:${RPC[$READY_NAME]}" > /dev/null 2>&1; }
join_serf() { serf join -rpc-addr "$HOST:${RPC[s$1]}" "$HOST:${BIND[s1]}" > /dev/null; }
# -coalesce=false: the serf agent otherwise holds coalesced user events for a 1 s quiet period.
fire_serf() { serf event -coalesce=false -rpc-addr "$HOST:${RPC[s1]}" bench x > /dev/null; }
alive_serf() { serf members -rpc-addr "$HOST:${RPC[s$1]}" -status alive | grep -c alive; }
failed_serf() { serf members -rpc-addr "$HOST:${RPC[s$1]}" -status failed -name "^$2\$" | grep -c "^$2 "; }
# failed_line NAME: the pattern of the line an agent logs (at info) when it finds member NAME failed,
# memberlist's dead member reaching the Serf layer; Serf's (and Consul's) text on both sides.
failed_line() { echo "serf: EventMemberFailed: $1 "; }

# ---------------------------------------------------------------- measuring from handler files
# poll_all OUT CHECK...: sweeps agents 1..N one after the other (at most every 0.2 s, for at
# most DEADLINE s) running "CHECK... I"; the first time it succeeds for agent I, appends
# "I <time>" to OUT. One sweep at a time, not a poller per agent, so that polling does not
# load the machine it measures; the sweep time (about N client calls) bounds the resolution.
poll_all() {
    local out=$1; shift
    local deadline=$((SECONDS + DEADLINE)) i start
    local -A done=()
    while ((SECONDS < deadline && ${#done[@]} < ${#POLL_NODES[@]})); do
        start=$(now)
        for i in "${POLL_NODES[@]}"; do
            [[ -z "${done[$i]:-}" ]] || continue
            if "$@" "$i"; then done[$i]=1; echo "$i $(now)" >> "$out"; fi
        done
        awk -v s="$start" -v t="$(now)" 'BEGIN { exit !(t - s < 0.2) }' && sleep 0.2
    done
}
all_alive() { local c; c=$("alive_$1" "$2" 2>/dev/null || true); ((${c:-0} >= N)); }
is_failed() { local c; c=$("failed_$1" "$3" "$2" 2>/dev/null || true); ((${c:-0} >= 1)); }
# latest FILE COUNT T0: seconds from T0 to the latest time in FILE, or "timeout" if FILE has
# fewer than COUNT lines.
latest() { awk -v n="$2" -v t0="$3" '$2 > w { w = $2 } END { if (NR < n) print "timeout"; else printf "%.3f\n", w - t0 }' "$1" 2>/dev/null || echo timeout; }
# event_done DIR PREFIX T0 COUNT KIND NAME: seconds from T0 until COUNT agents had a line
# "KIND NAME" with a time after T0.
event_done() {
    awk -v need="$4" -v t0="$3" -v kind="$5" -v nm="$6" '
        FNR == 1 { self = FILENAME }
        $2 == kind && $3 == nm && $1 >= t0 && !(self in got) { got[self] = $1; c++ }
        END { if (c < need) exit 1; w = 0; for (s in got) if (got[s] > w) w = got[s]; printf "%.3f\n", w - t0 }' "$1"/ev."$2"* 2>/dev/null
}
# logged_failed PREFIX T0 PATTERN: "FIRST LAST", the seconds from T0 until the first and the
# last of agents 1..N-1 logged a line matching PATTERN (their logs are stamped as lines arrive);
# fails until every one has.
logged_failed() {
    local files=() i
    for i in $(seq 1 $((N - 1))); do files+=("$SCRATCH/$1$i.log"); done
    awk -v t0="$2" -v pat="$3" -v need=$((N - 1)) '
        FNR == 1 { self = FILENAME }
        !(self in got) && $1 >= t0 && $0 ~ pat { got[self] = $1; c++ }
        END {
            if (c < need) exit 1
            for (s in got) { if (lo == "" || got[s] < lo) lo = got[s]; if (got[s] > hi) hi = got[s] }
            printf "%.3f %.3f\n", lo - t0, hi - t0
        }' "${files[@]}" 2>/dev/null
}
# wait_for SECONDS COMMAND...: reruns COMMAND every 0.1 s until it prints something.
wait_for() {
    local deadline=$((SECONDS + $1)) out; shift
    while ((SECONDS < deadline)); do
        if out=$("$@"); [[ -n "$out" ]]; then echo "$out"; return 0; fi
        sleep 0.1
    done
    return 1
}

# sleep_random_phase SECONDS: sleeps SECONDS plus a random part of a second, so that the join,
# the event and the kill each start at a random point of the gossip and probe periods. serf's
# agents run those periods in lockstep (memberlist starts its tickers with the agent, and the
# random stagger delays only the first read, not the phase), so a step at a fixed offset from
# their start would measure one point of the period every round; Praetor's agents each keep a
# random phase. Measured: with a fixed 8 s from join to kill -9, serf's first failure log came
# 6.44 s after the kill (median of 8 rounds); with 8-9 s, 6.88 s (8 rounds), beside Praetor's 6.80.
sleep_random_phase() { sleep "$(awk -v b="$1" -v r="$RANDOM" 'BEGIN { printf "%.3f", b + r / 32768 }')"; }

# run_system SYSTEM PREFIX ROUND: one full measurement; appends a row to $RAW.
run_system() {
    local sys=$1 p=$2 round=$3 dir="$SCRATCH/$1-$3" i
    mkdir -p "$dir"
    log "$sys round $round: starting $N agents"
    for i in $(seq 1 "$N"); do "start_$sys" "$dir" "$i"; done
    for i in $(seq 1 "$N"); do
        READY_NAME="$p$i"
        if ! wait_ready "$p$i" 120 "ready_$sys"; then
            for i in $(seq 1 "$N"); do stop_server "$p$i"; done
            return 1
        fi
    done
    sleep_random_phase 2
    local load; load=$(cut -d' ' -f1-3 /proc/loadavg)

    local t0 join event kill rss=() alive
    t0=$(now)
    local joiners=()
    for i in $(seq 2 "$N"); do "join_$sys" "$i" & joiners+=($!); done
    POLL_NODES=($(seq 1 "$N"))
    poll_all "$dir/joined" all_alive "$sys"
    for i in "${joiners[@]}"; do wait "$i" 2>/dev/null || true; done
    join=$(latest "$dir/joined" "$N" "$t0")
    log "$sys: join seen by all in ${join}s"
    sleep_random_phase 3
    alive=$("alive_$sys" 1); log "$sys: agent 1 lists $alive alive"
    for i in $(seq 1 "$N"); do rss+=("$(proc_status "${SERVER_PIDS[$p$i]}" VmRSS)"); done

    t0=$(now)
    "fire_$sys"
    event=$(wait_for "$DEADLINE" event_done "$dir" "$p" "$t0" "$N" user bench) || event=timeout
    log "$sys: event reached all in ${event}s"
    sleep_random_phase 2

    t0=$(now)
    kill -KILL "${SERVER_PIDS[$p$N]}"
    local hkill
    POLL_NODES=($(seq 1 $((N - 1))))
    poll_all "$dir/failed" is_failed "$sys" "$p$N"
    kill=$(latest "$dir/failed" $((N - 1)) "$t0")
    hkill=off
    [[ "$FAILED_HANDLERS" == 0 ]] || hkill=$(wait_for 15 event_done "$dir" "$p" "$t0" $((N - 1)) member-failed "$p$N") || hkill=timeout
    local logged
    logged=$(wait_for 10 logged_failed "$p" "$t0" "$(failed_line "$p$N")") || logged="timeout timeout"
    log "$sys: kill -9 listed as failed by all in ${kill}s (member-failed handler at all, s: $hkill; logged by the first / the last, s: ${logged/ / / })"

    local rss_med rss_max
    rss_med=$(printf '%s\n' "${rss[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    rss_max=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$sys" "$join" "$event" "$kill" "$hkill" "$rss_med" "$rss_max" "$alive" "$load" ${logged/ /$'\t'} >> "$RAW"
    for i in $(seq 1 "$N"); do stop_server "$p$i"; done
}

for r in $(seq 1 "$ROUNDS"); do
    run_system praetor p "$r" || log "praetor round $r failed"
    run_system serf s "$r" || log "serf round $r failed"
done

# ---------------------------------------------------------------- report
TSV="$RESULTS_DIR/gossip-latest.tsv"
MD="$RESULTS_DIR/gossip-latest.md"
{ printf 'round\tsystem\tjoin_s\tevent_s\tkill_s\tkill_handler_s\trss_median_kb\trss_max_kb\talive_at_1\tloadavg\tkill_logged_first_s\tkill_logged_last_s\n'; cat "$RAW"; } > "$TSV"
{
    echo "# Gossip: $N Praetor agents (-dev, timings: $PRAETOR_TIMINGS) vs $N serf agents (-profile $SERF_PROFILE, tags: $SERF_TAGS), loopback; each polled with its own CLI"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $ROUNDS round(s), serf $(serf version | head -n 1), praetor $(git -C "$REPO" rev-parse --short HEAD)"
    echo
    echo "| system | join: N alive at all (s) | event: handler ran at all (s) | kill -9: failed at all (s) | kill -9: member-failed handler at all (s) | kill -9: logged by the first / the last (s) | RSS/agent median (MB) | RSS max (MB) | loadavg at start |"
    echo "|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' "$REPORT_AWK"'
        { k = $2; j[k] = j[k] " " $3; e[k] = e[k] " " $4; f[k] = f[k] " " $5; h[k] = h[k] " " $6; r[k] = r[k] " " $7; m[k] = m[k] " " $8; l[k] = l[k] (l[k] == "" ? "" : " / ") $10; a[k] = a[k] " " $11; z[k] = z[k] " " $12 }
        END { for (k in j) printf "| %s | %s | %s | %s | %s | %s / %s | %.1f | %.1f | %s |\n", k, median(j[k]), median(e[k]), median(f[k]), h[k] ~ /off/ ? "off" : median(h[k]), median(a[k]), median(z[k]), median(r[k]) / 1024, median(m[k]) / 1024, l[k] }' "$RAW"
} > "$MD"
cat "$MD"
