#!/usr/bin/env bash
# Builds the shipped `praetor`: one native executable compiled ahead of time (Native AOT), with
# no JIT and no .NET runtime needed where it runs. Usage: scripts/publish.sh [OUTPUT_DIR]
# (default: out/); the executable is OUTPUT_DIR/praetor. Needs a C toolchain and zlib's headers
# (scripts/install-deps.sh installs them). Set ARTIFACTS to place the intermediate build elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-out}
case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64 | arm64) rid=linux-arm64 ;;
    *) echo "publish: no .NET runtime identifier for $(uname -m)" >&2; exit 1 ;;
esac
artifacts=${ARTIFACTS:-artifacts}

dotnet publish src/Praetor.Cli -c Release -r "$rid" --artifacts-path "$artifacts" -o "$out" -p:DebugType=none
echo "publish: $out/praetor"
