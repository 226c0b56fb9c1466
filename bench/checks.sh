#!/usr/bin/env bash
# Health checks at scale: a `praetor agent -dev` with 1,000 services from a -config-dir (each
# with a 10 s TTL check) plus 200 interval checks every 10 s (100 script checks running
# /bin/true, 100 HTTP checks against bench/HelloKestrel on loopback). Measures, per round:
#   - start → 1,200 checks in /v1/agent/checks → catalog synced → 200 interval checks passing;
#   - idle CPU (utime+stime over a window with no API load, after a settle) and RSS, beside an
#     agent with no services started in the same round (the baseline);
#   - GET /v1/health/service/svc-0500 (and ?passing) under wrk at 1 and 64 connections while the
#     checks keep running.
# Prints a markdown table and writes it to bench/results/checks-latest.md. See bench/README.md.
#
# Knobs (environment): ROUNDS (1), SERVICES (1000), SCRIPT_CHECKS (100), HTTP_CHECKS (100),
# CHECK_INTERVAL (10s), CHECK_TTL (10s), SETTLE (30 s), IDLE_WINDOW (60 s), READY_DEADLINE
# (180 s), DURATION (10 s per wrk cell), WARMUP (2 s), PREWARM (10 s per URL), CONNS ("1 64"),
# PIN (1: agents on SERVER_CPU, wrk and HelloKestrel on LOAD_CPU), SKIP_BUILD, ARTIFACTS
# (/tmp/art-bench), PRAETOR_DLL, KEEP_LOGS (1 keeps the scratch folder).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
ROUNDS=${ROUNDS:-1}
SERVICES=${SERVICES:-1000}
SCRIPT_CHECKS=${SCRIPT_CHECKS:-100}
HTTP_CHECKS=${HTTP_CHECKS:-100}
CHECK_INTERVAL=${CHECK_INTERVAL:-10s}
CHECK_TTL=${CHECK_TTL:-10s}
SETTLE=${SETTLE:-30}
IDLE_WINDOW=${IDLE_WINDOW:-60}
READY_DEADLINE=${READY_DEADLINE:-180}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
PREWARM=${PREWARM:-10}
CONNS=${CONNS:-"1 64"}
SKIP_BUILD=${SKIP_BUILD:-0}
ARTIFACTS=${ARTIFACTS:-/tmp/art-bench}
KEEP_LOGS=${KEEP_LOGS:-0}
export BENCH_LUA_DIR="$BENCH_DIR/lua"
HOST=127.0.0.1
TOTAL_CHECKS=$((SERVICES + SCRIPT_CHECKS + HTTP_CHECKS))
INTERVAL_CHECKS=$((SCRIPT_CHECKS + HTTP_CHECKS))
TARGET_SERVICE=${TARGET_SERVICE:-svc-0500}

LOG_TAG=checks
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
bench_scratch checks   # RESULTS_DIR, SCRATCH, RAW; servers stopped and SCRATCH removed on exit

setup_pinning
((SCRIPT_CHECKS + HTTP_CHECKS <= SERVICES)) || { log "SCRIPT_CHECKS + HTTP_CHECKS must be <= SERVICES"; exit 1; }

# ---------------------------------------------------------------- report
# med KEY / vals KEY: the median over rounds of a raw value, and the values round by round.
med() { awk -F'\t' -v k="$1" '$2 == k { print $3 }' "$RAW" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# eff LABEL.cN: median over rounds of req/s per CPU-second of the agent (req/s ÷ its CPU share).
eff() {
    awk -F'\t' -v r="$1.rps" -v c="$1.cpu" '$2 == r { rps[$1] = $3 } $2 == c { cpu[$1] = $3 }
        END { for (k in rps) if (cpu[k] > 0) print rps[k] * 100 / cpu[k] }' "$RAW" \
        | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
vals() { awk -F'\t' -v k="$1" '$2 == k { printf "%s%s", (n++ ? " / " : ""), $3 }' "$RAW"; }
f1() { [[ -n "$1" ]] && awk -v x="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, x }' || echo "–"; }
mib() { [[ -n "$1" ]] && awk -v x="$1" 'BEGIN { printf "%.0f", x / 1024 }' || echo "–"; }
ms() { [[ -n "$1" ]] && awk -v x="$1" 'BEGIN { printf "%.2f", x / 1000 }' || echo "–"; }

report() {
    local rss base drss cpu bcpu
    rss=$(med idle.rss_kb); base=$(med base.rss_kb); cpu=$(med idle.cpu_pct); bcpu=$(med base.cpu_pct)
    echo "| measure | agent with $SERVICES services, $TOTAL_CHECKS checks | baseline agent (no services) | per round (loaded agent) |"
    echo "| --- | ---: | ---: | --- |"
    echo "| idle CPU, % of one core (${IDLE_WINDOW} s window after ${SETTLE} s settle) | $(f1 "$cpu" 2) | $(f1 "$bcpu" 2) | $(vals idle.cpu_pct) (baseline $(vals base.cpu_pct)) |"
    echo "| CPU of its script-check children (/bin/true), % of one core | $(f1 "$(med idle.children_cpu_pct)" 2) | – | $(vals idle.children_cpu_pct) |"
    echo "| RSS after the idle window, MiB | $(mib "$rss") | $(mib "$base") | $(vals idle.rss_kb) kB (baseline $(vals base.rss_kb) kB) |"
    echo "| RSS after the load runs, MiB | $(mib "$(med after_load.rss_kb)") | – | $(vals after_load.rss_kb) kB |"
    echo "| threads | $(med idle.threads) | $(med base.threads) | $(vals idle.threads) |"
    echo "| start → HTTP API answers, s | $(f1 "$(med start.http_s)" 2) | $(f1 "$(med base.http_s)" 2) | $(vals start.http_s) |"
    echo "| start → $TOTAL_CHECKS checks in /v1/agent/checks, s | $(f1 "$(med start.agent_checks_s)" 2) | – | $(vals start.agent_checks_s) |"
    echo "| start → catalog synced ($SERVICES services, $TOTAL_CHECKS checks), s | $(f1 "$(med start.catalog_synced_s)" 2) | – | $(vals start.catalog_synced_s) |"
    echo "| start → $INTERVAL_CHECKS interval checks passing in the catalog, s | $(f1 "$(med start.interval_passing_s)" 2) | – | $(vals start.interval_passing_s) |"
    echo "| checks critical / passing in the catalog at the end of the idle window | $(med idle.critical) / $(med idle.passing) | – | TTL checks expired, as expected |"
    if [[ -n "$rss" && -n "$base" && -n "$cpu" && -n "$bcpu" ]]; then
        drss=$(awk -v a="$rss" -v b="$base" -v n="$SERVICES" 'BEGIN { printf "%.1f", (a - b) / n }')
        echo
        echo "Derived: $(awk -v a="$rss" -v b="$base" 'BEGIN { printf "%.0f", (a - b) / 1024 }') MiB more than the baseline, ≈ $drss kB per service (with its checks);" \
            "$(awk -v a="$cpu" -v b="$bcpu" 'BEGIN { printf "%.2f", a - b }') points of a core more than the baseline at idle," \
            "≈ $(awk -v a="$cpu" -v b="$bcpu" -v n="$INTERVAL_CHECKS" -v i="${CHECK_INTERVAL%s}" 'BEGIN { printf "%.2f", (a - b) / 100 * 1000 / (n / i) }') ms of agent CPU per interval-check run" \
            "($INTERVAL_CHECKS checks every $CHECK_INTERVAL = $(awk -v n="$INTERVAL_CHECKS" -v i="${CHECK_INTERVAL%s}" 'BEGIN { printf "%g", n / i }') runs/s, if the TTL timers cost nothing)."
    fi
    echo
    echo "| request (while all checks run) | conns | req/s | p50 ms | p99 ms | errors | agent CPU | req per CPU-s | req/s per round |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    local label path conns
    for label in health passing; do
        path="/v1/health/service/$TARGET_SERVICE"; [[ "$label" == passing ]] && path="$path?passing"
        for conns in $CONNS; do
            echo "| \`GET $path\` | $conns | $(f1 "$(med "$label.c$conns.rps")" 0) | $(ms "$(med "$label.c$conns.p50_us")") | $(ms "$(med "$label.c$conns.p99_us")") | $(awk -F'\t' -v k="$label.c$conns.errors" '$2 == k { s += $3 } END { print s + 0 }' "$RAW") | $(f1 "$(med "$label.c$conns.cpu")" 0)% | $(f1 "$(eff "$label.c$conns")" 0) | $(vals "$label.c$conns.rps") |"
        done
    done
    echo
    echo "Response bodies: plain $(med body.plain_bytes) bytes ($(med body.plain_entries) entry), ?passing $(med body.passing_bytes) bytes ($(med body.passing_entries) entries: the TTL check is critical)."
}

if [[ "${1:-}" == --report ]]; then
    RAW=$2
    report
    exit 0
fi

install_missing wrk:wrk curl:curl jq:jq taskset:util-linux
for tool in wrk curl jq; do command -v "$tool" >/dev/null || { log "$tool is required"; exit 1; }; done

# ---------------------------------------------------------------- build
HELLO_DLL="$ARTIFACTS/bin/HelloKestrel/release/HelloKestrel.dll"
PRAETOR_DLL=${PRAETOR_DLL:-"$ARTIFACTS/bin/Praetor.Cli/release/praetor.dll"}
# The commit the agent was built from (read before the build: others may commit meanwhile).
BUILT_FROM="prebuilt $PRAETOR_DLL (SKIP_BUILD=1), HEAD at start $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ "$SKIP_BUILD" != 1 ]]; then
    BUILT_FROM="agent built from commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || echo ' plus uncommitted changes in src/')"
    log "building HelloKestrel and Praetor.Cli (Release) into $ARTIFACTS"
    build_release "$BENCH_DIR/HelloKestrel" hello || exit 1
    build_release "$REPO/src/Praetor.Cli" praetor || exit 2
fi
[[ -f "$PRAETOR_DLL" && -f "$HELLO_DLL" ]] || { log "missing $PRAETOR_DLL or $HELLO_DLL"; exit 2; }

# ---------------------------------------------------------------- the config dir
# One file per service, as config-management tools drop them: svc-NNNN on port 20000+N with a
# TTL check; the first SCRIPT_CHECKS services also get a script check (/bin/true), the next
# HTTP_CHECKS an HTTP check against HelloKestrel. So svc-0500's health has its TTL check (and
# the node's serfHealth) only, while the interval checks keep running beside it.
write_config() {
    local dir=$1 hello_url=$2 i name extra
    mkdir -p "$dir"
    for ((i = 0; i < SERVICES; i++)); do
        printf -v name 'svc-%04d' "$i"
        extra=""
        if ((i < SCRIPT_CHECKS)); then
            extra=", {\"name\": \"script\", \"args\": [\"/bin/true\"], \"interval\": \"$CHECK_INTERVAL\"}"
        elif ((i < SCRIPT_CHECKS + HTTP_CHECKS)); then
            extra=", {\"name\": \"http\", \"http\": \"$hello_url\", \"interval\": \"$CHECK_INTERVAL\"}"
        fi
        printf '{"service": {"name": "%s", "port": %d, "checks": [{"name": "ttl", "ttl": "%s"}%s]}}\n' \
            "$name" $((20000 + i)) "$CHECK_TTL" "$extra" > "$dir/$name.json"
    done
}

# ---------------------------------------------------------------- probes (bounded by curl -m)
api() { curl -sf -m 5 "http://$HOST:$1$2"; }
agent_up_count() { if api "$PORT" /v1/status/leader > /dev/null 2>&1; then echo 1; else echo 0; fi; }
agent_checks() { api "$PORT" /v1/agent/checks 2>/dev/null | jq 'length' 2>/dev/null || echo 0; }
catalog_services() {
    api "$PORT" /v1/catalog/services 2>/dev/null | jq '[keys[] | select(startswith("svc-"))] | length' 2>/dev/null || echo 0
}
# catalog_checks STATE: how many checks of the svc-* services the catalog holds in STATE (any, passing…)
catalog_checks() {
    api "$PORT" "/v1/health/state/$1" 2>/dev/null \
        | jq '[.[] | select(.ServiceName | startswith("svc-"))] | length' 2>/dev/null || echo 0
}
elapsed_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

# wait_for NAME WHAT GOAL DEADLINE COMMAND...: polls COMMAND (prints a number) every 0.25 s until
# it reaches GOAL or SECONDS passes DEADLINE; fails if the agent dies.
wait_for() {
    local name=$1 what=$2 goal=$3 deadline=$4; shift 4
    local got=0
    while ((SECONDS < deadline)); do
        kill -0 "${SERVER_PIDS[$name]}" 2>/dev/null || { log "$name died; last lines:"; tail -n 20 "$SCRATCH/$name.log" >&2; return 1; }
        got=$("$@")
        ((got >= goal)) && return 0
        sleep 0.25
    done
    log "$name: $what reached $got of $goal before the deadline"
    return 1
}

row() { printf '%s\t%s\t%s\n' "$ROUND" "$1" "$2" >> "$RAW"; }

cpu_pct() { awk -v t="$1" -v hz="$TICKS_PER_SECOND" -v s="$2" 'BEGIN { printf "%.2f", 100 * t / hz / s }'; }

# measure_wrk LABEL CONNS URL: a warm-up, then the measured run, with the agent's CPU share.
measure_wrk() {
    local label=$1 conns=$2 url=$3 result before after started secs pid=${SERVER_PIDS[agent]}
    run_wrk "$conns" "$WARMUP" url-get.lua "$url" > /dev/null
    before=$(cpu_ticks "$pid")
    started=$(date +%s%N)
    result=$(run_wrk "$conns" "$DURATION" url-get.lua "$url")
    after=$(cpu_ticks "$pid")
    secs=$(elapsed_since "$started")
    if [[ -z "$result" ]]; then log "$label c=$conns: wrk reported nothing"; return 0; fi
    row "$label.c$conns.rps" "$(field rps "$result")"
    row "$label.c$conns.p50_us" "$(field p50_us "$result")"
    row "$label.c$conns.p99_us" "$(field p99_us "$result")"
    row "$label.c$conns.errors" "$(field errors "$result")"
    row "$label.c$conns.cpu" "$(cpu_pct $((after - before)) "$secs")"
    log "$label c=$conns: $result agent_cpu=$(cpu_pct $((after - before)) "$secs")%"
}

# ---------------------------------------------------------------- one round
run_round() {
    local cfg="$SCRATCH/config" t0 deadline base_port
    # The baseline agent: no services, started first so that it does not overlap the loaded
    # agent's start-up; measured over the same idle window.
    base_port=$(free_port)
    t0=$(date +%s%N)
    start_server baseline "$base_port" dotnet "$PRAETOR_DLL" agent -dev -node=baseline \
        "-http-port=$base_port" -dns-port=-1 || return 1
    BASE_PORT=$base_port
    base_up() { api "$BASE_PORT" /v1/status/leader > /dev/null 2>&1; }
    wait_ready baseline 60 base_up || return 1
    row base.http_s "$(elapsed_since "$t0")"

    PORT=$(free_port)
    log "round $ROUND: starting the agent with $SERVICES services, $TOTAL_CHECKS checks on port $PORT"
    t0=$(date +%s%N)
    start_server agent "$PORT" dotnet "$PRAETOR_DLL" agent -dev -node=checks -enable-local-script-checks \
        "-config-dir=$cfg" "-http-port=$PORT" -dns-port=-1 || return 1
    deadline=$((SECONDS + READY_DEADLINE))
    wait_for agent "HTTP API" 1 "$deadline" agent_up_count || return 1
    row start.http_s "$(elapsed_since "$t0")"
    wait_for agent "/v1/agent/checks" "$TOTAL_CHECKS" "$deadline" agent_checks || return 1
    row start.agent_checks_s "$(elapsed_since "$t0")"
    wait_for agent "catalog services" "$SERVICES" "$deadline" catalog_services || return 1
    wait_for agent "catalog checks" "$TOTAL_CHECKS" "$deadline" catalog_checks any || return 1
    row start.catalog_synced_s "$(elapsed_since "$t0")"
    wait_for agent "interval checks passing in the catalog" "$INTERVAL_CHECKS" "$deadline" catalog_checks passing || return 1
    row start.interval_passing_s "$(elapsed_since "$t0")"
    log "round $ROUND: synced; settling ${SETTLE}s, then ${IDLE_WINDOW}s idle window"

    # Idle: no API calls at all during the window (the TTL checks go critical 10 s after start:
    # nobody updates them, which is fine here — it is a state change per check, then quiet).
    sleep "$SETTLE"
    local a0 a1 c0 c1 b0 b1 w0
    a0=$(cpu_ticks "${SERVER_PIDS[agent]}"); c0=$(child_cpu_ticks "${SERVER_PIDS[agent]}")
    b0=$(cpu_ticks "${SERVER_PIDS[baseline]}"); w0=$(date +%s%N)
    sleep "$IDLE_WINDOW"
    a1=$(cpu_ticks "${SERVER_PIDS[agent]}"); c1=$(child_cpu_ticks "${SERVER_PIDS[agent]}")
    b1=$(cpu_ticks "${SERVER_PIDS[baseline]}")
    local secs; secs=$(elapsed_since "$w0")
    row idle.cpu_pct "$(cpu_pct $((a1 - a0)) "$secs")"
    row idle.children_cpu_pct "$(cpu_pct $((c1 - c0)) "$secs")"
    row base.cpu_pct "$(cpu_pct $((b1 - b0)) "$secs")"
    row idle.rss_kb "$(proc_status "${SERVER_PIDS[agent]}" VmRSS)"
    row base.rss_kb "$(proc_status "${SERVER_PIDS[baseline]}" VmRSS)"
    row idle.threads "$(proc_status "${SERVER_PIDS[agent]}" Threads)"
    row base.threads "$(proc_status "${SERVER_PIDS[baseline]}" Threads)"
    row idle.critical "$(catalog_checks critical)"
    row idle.passing "$(catalog_checks passing)"
    log "round $ROUND: idle agent $(cpu_pct $((a1 - a0)) "$secs")% (+ children $(cpu_pct $((c1 - c0)) "$secs")%), baseline $(cpu_pct $((b1 - b0)) "$secs")%"
    stop_server baseline

    # Load: the health endpoint of one service, plain and ?passing, while all checks run.
    local url="http://$HOST:$PORT/v1/health/service/$TARGET_SERVICE"
    row body.plain_bytes "$(api "$PORT" "/v1/health/service/$TARGET_SERVICE" | wc -c)"
    row body.plain_entries "$(api "$PORT" "/v1/health/service/$TARGET_SERVICE" | jq 'length')"
    row body.passing_bytes "$(api "$PORT" "/v1/health/service/$TARGET_SERVICE?passing" | wc -c)"
    row body.passing_entries "$(api "$PORT" "/v1/health/service/$TARGET_SERVICE?passing" | jq 'length')"
    if ((PREWARM > 0)); then
        run_wrk 64 "$PREWARM" url-get.lua "$url" > /dev/null
        run_wrk 64 "$PREWARM" url-get.lua "$url?passing" > /dev/null
    fi
    local conns
    for conns in $CONNS; do
        measure_wrk health "$conns" "$url"
        measure_wrk passing "$conns" "$url?passing"
    done
    row after_load.rss_kb "$(proc_status "${SERVER_PIDS[agent]}" VmRSS)"
    row after_load.interval_passing "$(catalog_checks passing)"
    stop_server agent
}

# ---------------------------------------------------------------- main
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
HELLO_PORT=$(free_port)
hello_ready() { curl -sf -m 1 -o /dev/null "http://$HOST:$HELLO_PORT/"; }
start_server --on-load-cpu hello "$HELLO_PORT" dotnet "$HELLO_DLL" --urls "http://$HOST:$HELLO_PORT" || exit 1
wait_ready hello 30 hello_ready || exit 1
write_config "$SCRATCH/config" "http://$HOST:$HELLO_PORT/"
log "config dir: $(find "$SCRATCH/config" -name '*.json' | wc -l) files; pinning: $PINNING"

FAILED=0
for ROUND in $(seq 1 "$ROUNDS"); do
    LOADS="${LOADS:-}${LOADS:+; }round $ROUND: $(cut -d' ' -f1-3 /proc/loadavg)"
    if ! run_round; then
        log "round $ROUND failed"
        FAILED=1
        stop_server agent; stop_server baseline
    fi
done

{
    echo "## Praetor health checks at scale — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- $BUILT_FROM; $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); pinning: $PINNING; dotnet $(dotnet --version)"
    echo "- $SERVICES services from $SERVICES files in -config-dir, each with a $CHECK_TTL TTL check; $SCRIPT_CHECKS script checks (/bin/true) and $HTTP_CHECKS HTTP checks (HelloKestrel on loopback), interval $CHECK_INTERVAL; rounds: $ROUNDS (figures are medians)"
    echo "- wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}'), 1 thread, ${DURATION}s per cell after ${WARMUP}s warm-up and ${PREWARM}s pre-warm per URL"
    echo "- load average before: $LOAD_BEFORE; at each round's start: $LOADS; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    report
} | tee "$RESULTS_DIR/checks-latest.md"
cp "$RAW" "$RESULTS_DIR/checks-latest.tsv"
exit "$FAILED"
