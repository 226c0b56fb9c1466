# Shell helpers shared by the bench/*.sh scripts (sourced, not run).
# The caller sets BENCH_DIR, calls bench_scratch (SCRATCH, a temp folder for logs) before
# starting anything, and may set LOG_TAG (the prefix of log lines), KEEP_LOGS,
# PIN/SERVER_CPU/LOAD_CPU (see setup_pinning), BENCH_LUA_DIR.

log() { printf '[%s %s] %s\n' "${LOG_TAG:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------- scratch folder, clean-up
# bench_scratch NAME [PATH...]: sets RESULTS_DIR (bench/results, created), SCRATCH (a new
# /tmp/praetor-NAME.XXXXXX) and RAW (an empty $SCRATCH/raw.tsv), and installs the traps: on exit
# every server is stopped, the PATHs are removed, and SCRATCH too unless KEEP_LOGS=1.
bench_scratch() {
    RESULTS_DIR="$BENCH_DIR/results"
    mkdir -p "$RESULTS_DIR"
    SCRATCH=$(mktemp -d "/tmp/praetor-$1.XXXXXX")
    RAW="$SCRATCH/raw.tsv"
    : > "$RAW"
    BENCH_CLEANUP_PATHS=("${@:2}")
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}
bench_cleanup() {
    stop_all
    ((${#BENCH_CLEANUP_PATHS[@]} == 0)) || rm -rf "${BENCH_CLEANUP_PATHS[@]}"
    if [[ "${KEEP_LOGS:-0}" == 1 ]]; then log "logs kept in $SCRATCH"; else rm -rf "$SCRATCH"; fi
}

# ---------------------------------------------------------------- report helpers
# REPORT_AWK: awk functions shared by the report programs of run.sh and dns.sh. Prepend it to
# the program: awk -F'\t' ... "$REPORT_AWK"'{ ... }' FILE...
REPORT_AWK='
    # median("3 1 2"): the median of a space-separated list of numbers ("" if it is empty)
    function median(list,   n, a, i, j, t) {
        n = split(list, a, " ")
        if (n == 0) return ""
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function pct(x) { return (x != "") ? sprintf("%.0f%%", 100 * x) : "–" }
    # ratios K/OTHER taken round by round (the two cells ran seconds apart), as a list; the
    # program marks each round it reads in seen_round[ROUND]
    function ratios(k, other, table,   r, out) {
        out = ""
        for (r in seen_round) if (((k, r) in table) && ((other, r) in table) && table[other, r] > 0) out = out " " table[k, r] / table[other, r]
        return out
    }
'

# ---------------------------------------------------------------- pinning
# setup_pinning: with PIN=1 on 2+ CPUs, servers run on SERVER_CPU and wrk on LOAD_CPU (taskset).
# Sets ON_SERVER_CPU, ON_LOAD_CPU (command prefixes, arrays) and PINNING (a sentence).
setup_pinning() {
    PIN=${PIN:-1}
    SERVER_CPU=${SERVER_CPU:-1}
    LOAD_CPU=${LOAD_CPU:-0}
    if [[ "$PIN" == 1 && $(nproc) -ge 2 ]]; then
        ON_SERVER_CPU=(taskset -c "$SERVER_CPU")
        ON_LOAD_CPU=(taskset -c "$LOAD_CPU")
        PINNING="server on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU (taskset)"
    else
        ON_SERVER_CPU=()
        ON_LOAD_CPU=()
        PINNING="none (server and wrk share all $(nproc) CPUs)"
    fi
}

# ---------------------------------------------------------------- processes, stopped by PID only
declare -A SERVER_PIDS=()
stop_server() {
    local name=$1 pid=${SERVER_PIDS[$1]:-}
    [[ -n "$pid" ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    unset "SERVER_PIDS[$name]"
}
stop_all() {
    local name
    for name in "${!SERVER_PIDS[@]}"; do stop_server "$name"; done
}

# start_server [--on-load-cpu] [--stamped] NAME PORT COMMAND...: starts a server in the
# background, output to $SCRATCH/NAME.log, on the server CPU (or the load generator's); with
# --stamped each line of the log starts with the wall-clock time it arrived (stamp_lines). The
# command is exec'd (taskset execs too; the stamping runs in a process substitution), so $! —
# kept in SERVER_PIDS[NAME] — is the server's own PID.
start_server() {
    local prefix=("${ON_SERVER_CPU[@]}") stamped=0
    if [[ "$1" == --on-load-cpu ]]; then prefix=("${ON_LOAD_CPU[@]}"); shift; fi
    if [[ "$1" == --stamped ]]; then stamped=1; shift; fi
    local name=$1 port=$2; shift 2
    if ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
        log "$name: port $port is already in use; choose another (see the knobs at the top)"
        return 1
    fi
    if ((stamped)); then
        "${prefix[@]}" "$@" > >(stamp_lines > "$SCRATCH/$name.log") 2>&1 &
    else
        "${prefix[@]}" "$@" > "$SCRATCH/$name.log" 2>&1 &
    fi
    SERVER_PIDS[$name]=$!
}
# stamp_lines: copies stdin to stdout, each line prefixed with "<epoch seconds.microseconds> ".
stamp_lines() { local line; while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# wait_ready NAME SECONDS CHECK: polls CHECK every 0.2 s, at most SECONDS, while the server lives.
wait_ready() {
    local name=$1 seconds=$2 check=$3
    local deadline=$((SECONDS + seconds))
    while ((SECONDS < deadline)); do
        if ! kill -0 "${SERVER_PIDS[$name]}" 2>/dev/null; then
            log "$name exited during start-up; last lines of its log:"
            tail -n 20 "$SCRATCH/$name.log" >&2 || true
            return 1
        fi
        if "$check"; then return 0; fi
        sleep 0.2
    done
    log "$name did not answer within ${seconds}s; last lines of its log:"
    tail -n 20 "$SCRATCH/$name.log" >&2 || true
    return 1
}

# free_port: prints a loopback TCP port nobody listens on (random in 30000-59999, checked with ss).
free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((30000 + RANDOM % 30000))
        if ! ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then echo "$port"; return 0; fi
    done
    log "no free port found"
    return 1
}

# take_port: sets PORT to a port in 20000-32767 — below Linux's ephemeral range (32768-60999),
# so the many client connections of a run cannot take it first — that no TCP or UDP socket holds
# and that was not handed out before in this run.
declare -A USED_PORTS=()
take_port() {
    while :; do
        PORT=$((20000 + RANDOM % 12768))
        [[ -z "${USED_PORTS[$PORT]:-}" ]] || continue
        ss -Htuan "sport = :$PORT" 2>/dev/null | grep -q . || break
    done
    USED_PORTS[$PORT]=1
}

# ---------------------------------------------------------------- dependencies
# install_missing COMMAND:PACKAGE...: apt-get installs the packages whose command is missing.
install_missing() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq || log "apt-get update failed"
    local pkg
    for pkg in "${missing[@]}"; do
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$pkg" >/dev/null \
            || log "apt-get install $pkg failed"
    done
}

# build_release PROJECT_DIR LOG_NAME: dotnet build -c Release into $ARTIFACTS, quietly; on
# failure prints the last lines of the build log and returns non-zero.
build_release() {
    local project=$1 name=$2
    if ! dotnet build "$project" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q \
        > "$SCRATCH/build-$name.log" 2>&1; then
        log "$name did not build. Last lines:"
        tail -n 20 "$SCRATCH/build-$name.log" >&2
        return 1
    fi
}

# build_native LOG_NAME: the shipped executable (scripts/publish.sh, Native AOT) into
# $ARTIFACTS/native/praetor, quietly; on failure prints the last lines of the log and returns non-zero.
build_native() {
    if ! ARTIFACTS="$ARTIFACTS" bash "$REPO/scripts/publish.sh" "$ARTIFACTS/native" > "$SCRATCH/build-$1.log" 2>&1; then
        log "$1 did not build. Last lines:"
        tail -n 20 "$SCRATCH/build-$1.log" >&2
        return 1
    fi
}

# require_praetor: sets PRAETOR (default $ARTIFACTS/native/praetor), building it first unless
# SKIP_BUILD=1; exits 2 when it cannot be built or is not an executable.
require_praetor() {
    PRAETOR=${PRAETOR:-"$ARTIFACTS/native/praetor"}
    if [[ "$SKIP_BUILD" != 1 ]]; then
        log "building praetor (scripts/publish.sh, Native AOT)"
        build_native praetor || exit 2
    fi
    [[ -x "$PRAETOR" ]] || { log "no executable $PRAETOR"; exit 2; }
}

# ---------------------------------------------------------------- measuring
# run_wrk CONNS SECONDS SCRIPT URL -> prints the RESULT line of bench/lua/common.lua's done().
run_wrk() {
    local conns=$1 seconds=$2 script=$3 url=$4
    # One wrk thread suffices for these rates and keeps the load generator on its one core.
    timeout $((seconds + 30)) "${ON_LOAD_CPU[@]}" wrk -t1 -c"$conns" -d"${seconds}s" --timeout 5s \
        -s "$BENCH_LUA_DIR/$script" "$url" > "$SCRATCH/wrk.out" 2>&1 || true
    cat "$SCRATCH/wrk.out" >> "$SCRATCH/wrk.log"
    grep '^RESULT ' "$SCRATCH/wrk.out" | tail -n 1
}

# field NAME "RESULT a=1 b=2": the value of NAME in a RESULT line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$2"; }

# measure ROUND TARGET OP CONNS SCRIPT URL [PID...]: a WARMUP-second warm-up, then a DURATION-second
# measured run; appends a raw row to $RAW: round, target, op, conns, req/s, p50 µs, p99 µs,
# errors, server CPU. The CPU is that of the PIDs (default: SERVER_PIDS[TARGET]) during the run,
# summed, as % of one core: a CPU-bound server below ~100 % of its core was starved by something
# else on the machine, and req/s per CPU-second is the figure that such noise disturbs least.
measure() {
    local round=$1 target=$2 op=$3 conns=$4 script=$5 url=$6 result before after started elapsed cpu
    local pids=("${@:7}")
    ((${#pids[@]} > 0)) || pids=("${SERVER_PIDS[$target]}")
    run_wrk "$conns" "$WARMUP" "$script" "$url" > /dev/null
    before=$(pids_cpu_ticks "${pids[@]}")
    started=$(date +%s%N)
    result=$(run_wrk "$conns" "$DURATION" "$script" "$url")
    after=$(pids_cpu_ticks "${pids[@]}")
    elapsed=$(($(date +%s%N) - started))
    if [[ -z "$result" ]]; then
        log "$target $op c=$conns: wrk reported nothing (KEEP_LOGS=1 keeps its output)"
        return 0
    fi
    cpu=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v ns="$elapsed" 'BEGIN { printf "%.0f", 100 * t / hz / (ns / 1e9) }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$target" "$op" "$conns" \
        "$(field rps "$result")" "$(field p50_us "$result")" "$(field p99_us "$result")" \
        "$(field errors "$result")" "$cpu" >> "$RAW"
    log "$target $op c=$conns: $result server_cpu=${cpu}%"
}

# preload NAME SCRIPT URL CHECK: writes every key once (the PUT script walks the keys in order
# on its one wrk thread), bounded to 15 s, then checks that the last key is there (CHECK is
# eval'd).
preload() {
    local name=$1 script=$2 url=$3 check=$4 result requests
    result=$(run_wrk 16 3 "$script" "$url")
    requests=$(field requests "$result")
    if [[ -z "$requests" ]] || ((requests < BENCH_KEYS)); then
        result=$(run_wrk 16 12 "$script" "$url")
    fi
    if ! eval "$check"; then
        log "$name: preload of $BENCH_KEYS keys failed (last key missing); $result"
        return 1
    fi
}

# cpu_ticks PID: user+system CPU time of the whole process so far, in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# pids_cpu_ticks PID...: the sum of cpu_ticks over the PIDs; a process that is gone counts 0.
pids_cpu_ticks() {
    local total=0 pid ticks
    for pid in "$@"; do
        ticks=$(cpu_ticks "$pid" 2>/dev/null) || ticks=0
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}
# child_cpu_ticks PID: user+system CPU time of its children that it has waited for, in ticks.
child_cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $14 + $15 }'; }
TICKS_PER_SECOND=$(getconf CLK_TCK)

# proc_status PID FIELD: a field of /proc/PID/status without its unit (VmRSS → kB, Threads).
proc_status() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# ---------------------------------------------------------------- added for bench/dns.sh
# apt_install_missing COMMAND:PACKAGE...: like install_missing, but never prompts: as root it
# runs apt-get directly, otherwise through `sudo -n` (and gives up, saying so, if sudo would ask).
apt_install_missing() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    local sudo=()
    if [[ $(id -u) != 0 ]]; then
        if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
            log "missing ${missing[*]}, and not root nor allowed to sudo without a password: install them yourself"
            return 1
        fi
        sudo=(sudo -n)
    fi
    log "installing Debian packages: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || log "apt-get update failed"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
        || log "apt-get install ${missing[*]} failed"
}

# free_port_udp_tcp: like free_port, but the port is free for both TCP and UDP (for DNS servers).
free_port_udp_tcp() {
    local port
    for _ in $(seq 1 100); do
        port=$((30000 + RANDOM % 30000))
        if ! ss -Htuan "sport = :$port" 2>/dev/null | grep -q .; then echo "$port"; return 0; fi
    done
    log "no free port found"
    return 1
}

# tree_cpu_ticks PID: user+system CPU time so far of PID and all its live descendants, in ticks
# (a forking server such as nsd answers from a child process).
tree_cpu_ticks() {
    local pid=$1 total child
    total=$(cpu_ticks "$pid" 2>/dev/null || echo 0)
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
        total=$((total + $(tree_cpu_ticks "$child")))
    done
    echo "$total"
}
