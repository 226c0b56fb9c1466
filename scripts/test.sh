#!/usr/bin/env bash
# Runs every test of the solution: installs what the tests need from Debian (scripts/install-deps.sh),
# builds in Release, runs each test project, and ends with the totals line
# "N passed, N failed[, N skipped]". Exits non-zero when anything failed or did not build.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -f scripts/install-deps.sh ]; then
    bash scripts/install-deps.sh || { echo "installing test dependencies failed"; exit 1; }
fi

log=$(mktemp)
native=$(mktemp -d)
trap 'rm -rf "$log" "$native"' EXIT
# The integration tests run the shipped executable (Native AOT), not only the JIT build.
if bash scripts/publish.sh "$native" > "$log" 2>&1; then
    export PRAETOR_EXECUTABLE="$native/praetor"
    publish_status=0
else
    cat "$log"
    echo "publishing the native praetor failed"
    publish_status=1
fi
dotnet test Praetor.slnx -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$publish_status" -eq 0 ] || status=1

# dotnet test prints one summary per test assembly:
#   Passed!  - Failed:     0, Passed:    64, Skipped:     0, Total:    64, Duration: 7 s - X.dll (net10.0)
read -r passed failed skipped < <(awk '
    /(Passed|Failed)! +- Failed:/ {
        gsub(",", "")
        for (i = 1; i <= NF; i++) {
            if ($i == "Failed:") f += $(i + 1)
            if ($i == "Passed:") p += $(i + 1)
            if ($i == "Skipped:") s += $(i + 1)
        }
    }
    END { printf "%d %d %d\n", p, f, s }' "$log")

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # The build or a test host broke before any test could fail: count that as a failure.
    failed=1
fi
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
