#!/usr/bin/env bash
# DNS service-lookup benchmark: Praetor's DNS interface under dnsperf (UDP), measured in the same
# run, round by round, as nsd (Debian's static authoritative server) serving the same names from
# a zone file: the ceiling on this machine. Praetor gets `web` (3 instances on nodes web-1..3,
# 10.0.0.1-3) and `db` (1 instance) through PUT /v1/catalog/register; nsd gets bench/dns/consul.zone.
# Before measuring, every query of the query files is asked of both and the answer sets
# (dig +short, sorted) must match. Prints a markdown table and writes it to
# bench/results/dns-latest.md (raw rows: dns-latest.tsv). See bench/README.md.
#
# Knobs (environment): ROUNDS (3), DURATION (s per measured run, 10), WARMUP (s before each run,
# 2), PREWARM (s of load on Praetor after start-up, discarded, 10), QUERY_SETS ("a mixed": the
# files bench/dns/queries-<set>.txt), CLIENTS (dnsperf -c, 4), OUTSTANDING (dnsperf -q, 100),
# MAX_QPS (dnsperf -Q, unset: no limit), THREADS (dnsperf -T, 1), PIN (1: servers on SERVER_CPU,
# dnsperf on LOAD_CPU), READY_DEADLINE (60 s), SKIP_BUILD, SKIP_PRAETOR (1: nsd only), ARTIFACTS
# (/tmp/art-bench), PRAETOR (the executable; default: the shipped Native AOT build of
# scripts/publish.sh in ARTIFACTS/native), PRAETOR_ARGS (extra `agent` flags), ALLOW_MISMATCH (1: measure
# even if the answers differ), KEEP_LOGS (1 keeps the scratch folder).
# Exit codes: 1 nsd could not be measured, 2 Praetor could not be built, started or asked over
# DNS (nsd's rows are still printed), 3 the answers differ.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
DNS_DIR="$BENCH_DIR/dns"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
PREWARM=${PREWARM:-10}
QUERY_SETS=${QUERY_SETS:-"a mixed"}
CLIENTS=${CLIENTS:-4}
OUTSTANDING=${OUTSTANDING:-100}
MAX_QPS=${MAX_QPS:-}
THREADS=${THREADS:-1}
READY_DEADLINE=${READY_DEADLINE:-60}
SKIP_BUILD=${SKIP_BUILD:-0}
SKIP_PRAETOR=${SKIP_PRAETOR:-0}
ARTIFACTS=${ARTIFACTS:-/tmp/art-bench}
PRAETOR_ARGS=${PRAETOR_ARGS:-}
ALLOW_MISMATCH=${ALLOW_MISMATCH:-0}
KEEP_LOGS=${KEEP_LOGS:-0}
HOST=127.0.0.1

LOG_TAG=dns
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
bench_scratch dns   # RESULTS_DIR, SCRATCH, RAW; servers stopped and SCRATCH removed on exit

# ---------------------------------------------------------------- report
# Raw rows: round target set qps avg_latency_s lost sent response_bytes server_cpu_pct
# latency_stddev_s rcodes dnsperf_cpu_pct
fmt_report() {
    awk -F'\t' -v sets_list="$QUERY_SETS" "$REPORT_AWK"'
    {
        k = $2 SUBSEP $3; seen_round[$1] = 1
        qps[k] = qps[k] " " $4; lat[k] = lat[k] " " $5; sd[k] = sd[k] " " $10; cpu[k] = cpu[k] " " $9; gcpu[k] = gcpu[k] " " $12
        lost[k] += $6; sent[k] += $7; size[k] = $8; cnt[k]++
        perround[k] = perround[k] (perround[k] == "" ? "" : " / ") sprintf("%.0f", $4)
        if ($11 != "" && $11 !~ /^NOERROR [0-9]+ \(100\.00%\)$/) codes[k] = codes[k] " r" $1 ": " $11 ";"
        Q[k, $1] = $4; if ($9 > 0) { EF[k, $1] = $4 * 100 / $9; eff[k] = eff[k] " " EF[k, $1] }
    }
    END {
        nt = split("nsd praetor", targets, " "); ns = split(sets_list, sets, " ")
        print "| server | queries | qps | avg latency ms | latency stddev ms | lost | response bytes | server CPU | dnsperf CPU | qps per CPU-s | ÷ nsd | ÷ nsd, per CPU-s | qps per round |"
        print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
        for (s = 1; s <= ns; s++) for (t = 1; t <= nt; t++) {
            k = targets[t] SUBSEP sets[s]
            if (!(k in cnt)) continue
            o = "nsd" SUBSEP sets[s]
            if (targets[t] == "nsd") { R[k] = 1; RE[k] = 1 } else { R[k] = median(ratios(k, o, Q)); RE[k] = median(ratios(k, o, EF)) }
            printf "| %s | %s | %.0f | %.3f | %.3f | %d of %d | %s | %.0f%% | %.0f%% | %.0f | %s | %s | %s |\n", targets[t], sets[s], median(qps[k]),
                1000 * median(lat[k]), 1000 * median(sd[k]), lost[k], sent[k], size[k], median(cpu[k]), median(gcpu[k]), median(eff[k]), pct(R[k]), pct(RE[k]), perround[k]
        }
        for (k in codes) { split(k, f, SUBSEP); printf "\nResponse codes other than NOERROR, %s %s:%s\n", f[1], f[2], codes[k] }
        print ""
        k = "praetor" SUBSEP "a"
        if (R[k] == "") print "- Goal: A lookups (web.service.consul, 3 instances) ≥ 50% of nsd'"'"'s qps: not measured"
        else printf "- Goal: A lookups (web.service.consul, 3 instances) ≥ 50%% of nsd'"'"'s qps: %s (per CPU-second: %s) → %s\n", pct(R[k]), pct(RE[k]), (R[k] >= 0.5) ? "met" : "NOT met"
    }' "$@"
}

if [[ "${1:-}" == --report ]]; then
    shift
    fmt_report "$@"
    exit 0
fi

# ---------------------------------------------------------------- dependencies, build
apt_install_missing dnsperf:dnsperf nsd:nsd dig:bind9-dnsutils curl:curl taskset:util-linux || true
for tool in dnsperf nsd dig curl; do command -v "$tool" >/dev/null || { log "$tool is required"; exit 1; }; done
for set in $QUERY_SETS; do
    [[ -f "$DNS_DIR/queries-$set.txt" ]] || { log "no query file $DNS_DIR/queries-$set.txt"; exit 1; }
done

setup_pinning
if [[ ${#ON_SERVER_CPU[@]} -gt 0 ]]; then
    PINNING="servers on CPU $SERVER_CPU, dnsperf on CPU $LOAD_CPU (taskset)"
else
    PINNING="none (servers and dnsperf share all $(nproc) CPUs)"
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

PRAETOR_OK=1
PRAETOR=${PRAETOR:-"$ARTIFACTS/native/praetor"}
BUILT_FROM="prebuilt $PRAETOR (SKIP_BUILD=1), HEAD at start $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ "$SKIP_PRAETOR" == 1 ]]; then
    PRAETOR_OK=0
    BUILT_FROM="Praetor skipped (SKIP_PRAETOR=1)"
elif [[ "$SKIP_BUILD" != 1 ]]; then
    BUILT_FROM="agent built from commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || echo ' plus uncommitted changes in src/')"
    log "building the shipped praetor (scripts/publish.sh, Native AOT) into $ARTIFACTS/native"
    if ! build_native praetor; then
        log "Praetor.Cli did not build; only nsd will be measured"
        PRAETOR_OK=0
    fi
fi

# ---------------------------------------------------------------- nsd: the ceiling
NSD_PORT=$(free_port_udp_tcp)
start_nsd() {
    local dir="$SCRATCH/nsd"
    mkdir -p "$dir"
    # rrl-ratelimit 0 (and the whitelist's): NSD rate-limits each source to 200 qps by default.
    # minimal-responses: the A answers then carry no NS/glue, byte for byte what a Consul-style
    # agent sends (its SRV answers then lack the targets' A records in the additional section,
    # so nsd's SRV packets are smaller than Praetor's: the ceiling errs on the high side).
    # server-count 1: one answering process, like the one core Praetor gets.
    cat > "$dir/nsd.conf" <<EOF
server:
    ip-address: $HOST@$NSD_PORT
    server-count: 1
    username: ""
    database: ""
    zonesdir: "$dir"
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    pidfile: "$dir/nsd.pid"
    logfile: "$dir/nsd.log"
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    minimal-responses: yes
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: consul.
    zonefile: "$DNS_DIR/consul.zone"
EOF
    nsd-checkconf "$dir/nsd.conf" >&2 || return 1
    start_server nsd "$NSD_PORT" nsd -d -c "$dir/nsd.conf" || return 1
    NSD_READY_PORT=$NSD_PORT
    wait_ready nsd 30 nsd_ready || { stop_server nsd; return 1; }
}
nsd_ready() { [[ $(dig_short "$NSD_READY_PORT" web.service.consul A | wc -l) == 3 ]]; }

# dig_short PORT NAME TYPE: the answer section, one record a line, sorted (bounded: 1 s, 1 try).
dig_short() { dig @"$HOST" -p "$1" "$2" "$3" +short +time=1 +tries=1 2>/dev/null | grep -v '^;' | sort; }

# ---------------------------------------------------------------- Praetor
PRAETOR_HTTP=""
PRAETOR_DNS=""
praetor_http_ready() { [[ -n $(curl -sf -m 1 "http://$HOST:$PRAETOR_HTTP/v1/status/leader" 2>/dev/null | tr -d '"') ]]; }
praetor_dns_ready() { [[ $(dig_short "$PRAETOR_DNS" web.service.consul A | wc -l) == 3 ]]; }
register() {
    local node=$1 address=$2 service=$3 port=$4 answer
    answer=$(curl -s -m 5 -X PUT "http://$HOST:$PRAETOR_HTTP/v1/catalog/register" \
        -d "{\"Node\":\"$node\",\"Address\":\"$address\",\"Service\":{\"Service\":\"$service\",\"Port\":$port}}")
    [[ "$answer" == true ]] || { log "registering $service on $node: answer '$answer'"; return 1; }
}
start_praetor() {
    PRAETOR_HTTP=$(free_port)
    PRAETOR_DNS=$(free_port_udp_tcp)
    local extra=()
    # No gossip or server RPC listeners when the build accepts disabling them (nothing but the
    # HTTP API and DNS needs to run here).
    if "$PRAETOR" agent -h 2>&1 | grep -q -- '-serf-lan-port='; then
        extra=(-serf-lan-port -1 -serf-wan-port -1 -server-port -1)
    fi
    # shellcheck disable=SC2086 # PRAETOR_ARGS is a list of flags
    start_server praetor "$PRAETOR_HTTP" "$PRAETOR" agent -dev -node bench \
        -http-port "$PRAETOR_HTTP" -dns-port "$PRAETOR_DNS" "${extra[@]}" $PRAETOR_ARGS || return 1
    wait_ready praetor "$READY_DEADLINE" praetor_http_ready || { stop_server praetor; return 1; }
    register web-1 10.0.0.1 web 80 && register web-2 10.0.0.2 web 80 && register web-3 10.0.0.3 web 80 \
        && register db-1 10.0.0.4 db 5432 || { stop_server praetor; return 1; }
    log "praetor: HTTP on $PRAETOR_HTTP, DNS on $PRAETOR_DNS; waiting for web.service.consul to answer 3 addresses"
    wait_ready praetor "$READY_DEADLINE" praetor_dns_ready || {
        log "praetor's DNS interface did not answer web.service.consul with 3 addresses; dig says:"
        dig @"$HOST" -p "$PRAETOR_DNS" web.service.consul A +time=1 +tries=1 >&2 || true
        stop_server praetor
        return 1
    }
}

# same_answers: every query of the query files, asked of both servers, must get the same
# answer set (dig +short, sorted), so that the two sides do the same work.
same_answers() {
    local set name type a b ok=0
    for set in $QUERY_SETS; do
        while read -r name type; do
            [[ -n "$name" ]] || continue
            a=$(dig_short "$NSD_PORT" "$name" "$type")
            b=$(dig_short "$PRAETOR_DNS" "$name" "$type")
            if [[ -z "$a" || "$a" != "$b" ]]; then
                log "answers differ for $name $type:"
                diff <(echo "$a") <(echo "$b") | sed 's/^</  nsd:    /; s/^>/  praetor:/' | grep -v '^[0-9]' >&2 || true
                ok=1
            fi
        done < "$DNS_DIR/queries-$set.txt"
    done
    return $ok
}

# ---------------------------------------------------------------- measuring
# run_dnsperf PORT SET SECONDS: dnsperf's output (bounded by timeout).
run_dnsperf() {
    local port=$1 set=$2 seconds=$3 qps=()
    [[ -z "$MAX_QPS" ]] || qps=(-Q "$MAX_QPS")
    timeout $((seconds + 30)) "${ON_LOAD_CPU[@]}" dnsperf -s "$HOST" -p "$port" -d "$DNS_DIR/queries-$set.txt" \
        -l "$seconds" -c "$CLIENTS" -T "$THREADS" -q "$OUTSTANDING" "${qps[@]}" 2>&1 || true
}
# dp_stat OUTPUT REGEX: the first number after REGEX in dnsperf's statistics.
dp_stat() { sed -n "s/^ *$2[^0-9]*\([0-9.]*\).*/\1/p" <<< "$1" | head -n 1; }

# measure_dns ROUND TARGET SET: a warm-up, then the measured dnsperf run; appends a raw row
# (lib.sh's measure is the wrk one).
measure_dns() {
    local round=$1 target=$2 set=$3 port pid out before after started elapsed cpu qps gen
    pid=${SERVER_PIDS[$target]}
    if [[ "$target" == nsd ]]; then port=$NSD_PORT; else port=$PRAETOR_DNS; fi
    if ((WARMUP > 0)); then run_dnsperf "$port" "$set" "$WARMUP" > /dev/null; fi
    before=$(tree_cpu_ticks "$pid")
    started=$(date +%s%N)
    # `times` in the same subshell: the CPU of its waited-for children, i.e. dnsperf's own.
    out=$(run_dnsperf "$port" "$set" "$DURATION"; times)
    after=$(tree_cpu_ticks "$pid")
    elapsed=$(($(date +%s%N) - started))
    gen=$(tail -n 1 <<< "$out" | awk -v ns="$elapsed" '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.0f", 100 * t / (ns / 1e9) }')
    printf '==== round %s %s %s\n%s\n' "$round" "$target" "$set" "$out" >> "$SCRATCH/dnsperf.log"
    qps=$(dp_stat "$out" 'Queries per second:')
    if [[ -z "$qps" ]]; then
        log "$target $set: dnsperf reported nothing; its output:"
        echo "$out" | tail -n 5 >&2
        return 0
    fi
    cpu=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v ns="$elapsed" 'BEGIN { printf "%.0f", 100 * t / hz / (ns / 1e9) }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$target" "$set" "$qps" \
        "$(dp_stat "$out" 'Average Latency (s):')" "$(dp_stat "$out" 'Queries lost:')" "$(dp_stat "$out" 'Queries sent:')" \
        "$(sed -n 's/.*Average packet size:.*response \([0-9]*\).*/\1/p' <<< "$out")" "$cpu" \
        "$(dp_stat "$out" 'Latency StdDev (s):')" "$(sed -n 's/^ *Response codes: *//p' <<< "$out")" "$gen" >> "$RAW"
    log "$target $set: qps=$qps avg_latency_s=$(dp_stat "$out" 'Average Latency (s):') lost=$(dp_stat "$out" 'Queries lost:') server_cpu=${cpu}% dnsperf_cpu=${gen}%"
}

# ---------------------------------------------------------------- main
cd "$SCRATCH"
start_nsd || { log "nsd did not start"; exit 1; }
log "nsd on port $NSD_PORT ($(nsd -v 2>&1 | head -n 1))"

if ((PRAETOR_OK)); then
    if [[ ! -x "$PRAETOR" ]]; then
        log "$PRAETOR is missing"; PRAETOR_OK=0
    elif ! start_praetor; then
        log "praetor not measured"; PRAETOR_OK=0
    fi
fi

MISMATCH=0
if ((PRAETOR_OK)); then
    if same_answers; then
        log "both servers give the same answer sets for every query of: $QUERY_SETS"
    else
        MISMATCH=1
        if [[ "$ALLOW_MISMATCH" != 1 ]]; then
            log "the answers differ (above): not measuring (ALLOW_MISMATCH=1 measures anyway)"
            exit 3
        fi
        log "the answers differ (above); measuring anyway (ALLOW_MISMATCH=1)"
    fi
    if ((PREWARM > 0)); then
        # .NET's tiered JIT recompiles hot methods for the first 10-20 s under load.
        log "praetor: ${PREWARM}s of pre-warm load per query set (discarded)"
        for set in $QUERY_SETS; do run_dnsperf "$PRAETOR_DNS" "$set" "$PREWARM" > /dev/null; done
    fi
fi

# Both servers stay up for the whole run, each idle while the other is loaded; within a round
# the two sides of each ratio run seconds apart, and the order alternates between rounds so
# that a drift in the machine's background load does not always favour the same side.
LOADS=""
for round in $(seq 1 "$ROUNDS"); do
    LOADS="${LOADS}${LOADS:+; }round $round: $(cut -d' ' -f1-3 /proc/loadavg)"
    log "round $round of $ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    order="nsd praetor"
    ((round % 2 == 0)) && order="praetor nsd"
    for set in $QUERY_SETS; do
        for target in $order; do
            [[ -n "${SERVER_PIDS[$target]:-}" ]] || continue
            measure_dns "$round" "$target" "$set"
        done
    done
done

{
    echo "## Praetor DNS benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- $BUILT_FROM; $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); pinning: $PINNING; dotnet $(dotnet --version 2>/dev/null || echo '?')"
    echo "- ceiling: $(nsd -v 2>&1 | head -n 1), one server process, zone bench/dns/consul.zone, minimal responses, no rate limit"
    echo "- load: $(dnsperf -h 2>&1 | sed -n 's/^Version /dnsperf /p') over UDP, \`dnsperf -c $CLIENTS -T $THREADS -q $OUTSTANDING${MAX_QPS:+ -Q $MAX_QPS} -l $DURATION\` after a ${WARMUP}s warm-up per run; Praetor pre-warmed ${PREWARM}s per query set; rounds: $ROUNDS (figures are medians, lost queries summed; the order alternates each round)"
    for set in $QUERY_SETS; do
        echo "- queries \`$set\`: $(awk 'NF { printf "%s%s %s", (n++ ? ", " : ""), $1, $2 }' "$DNS_DIR/queries-$set.txt")"
    done
    echo "- load average before: $LOAD_BEFORE; at each round's start: $LOADS; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    ((PRAETOR_OK)) || echo "- **Praetor was not measured** (not built, did not start, or its DNS interface did not answer)"
    ((MISMATCH == 0)) || echo "- **The answers differed** between the two servers (ALLOW_MISMATCH=1): the ratio does not compare like with like"
    echo
    fmt_report "$RAW"
} | tee "$RESULTS_DIR/dns-latest.md"
cp "$RAW" "$RESULTS_DIR/dns-latest.tsv"

((PRAETOR_OK)) || exit 2
