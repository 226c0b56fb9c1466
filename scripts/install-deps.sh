#!/usr/bin/env bash
# Installs the Debian packages the test suites need beyond the machine's image:
#   python3-consul   python-consul, a real Consul client, for tests/Praetor.Integration
#   bind9-dnsutils   the real `dig`, for the DNS tests (Dns*Tests) in tests/Praetor.Integration
#   serf             the real `serf` agent (Serf 0.9 / memberlist 0.2), for SerfInteropTests in tests/Praetor.Integration
#   zlib1g-dev, and clang unless a C compiler (clang or gcc) is there: the native linking step of
#                    scripts/publish.sh (Native AOT), whose executable tests/Praetor.Integration runs
# Idempotent and non-interactive: does nothing when every package is already installed, and
# runs `apt-get update` once, only when something is missing. Runs as root (or via sudo).
set -euo pipefail

packages=(python3-consul bind9-dnsutils serf zlib1g-dev)
if ! command -v clang >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
    packages+=(clang)
fi

missing=()
for package in "${packages[@]}"; do
    if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
        echo "install-deps: $package is already installed ($(dpkg-query -W -f='${Version}' "$package"))"
    else
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: nothing to install"
    exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo -n)
    else
        echo "install-deps: need root to install ${missing[*]}, and sudo is not available" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: missing ${missing[*]}; running apt-get update"
"${as_root[@]}" apt-get update -q
echo "install-deps: running apt-get install -y ${missing[*]}"
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

for package in "${missing[@]}"; do
    echo "install-deps: installed $package $(dpkg-query -W -f='${Version}' "$package")"
done
