#!/usr/bin/env bash
# deps.sh: installs the Debian packages the project needs to build, test,
# fuzz, benchmark and run the suite, and only those that are missing.
#
# Idempotent and quiet when everything is present. Runs `apt-get update` at
# most once, and only when something has to be installed. Uses sudo when not
# root. Meant for Debian 12 (bookworm); works on a bare debian:bookworm image.
#
# Usage: scripts/deps.sh [--check]
#   --check   list missing packages and exit 1 if any, install nothing
set -euo pipefail

PACKAGES=(
    # build
    build-essential pkg-config make
    protobuf-c-compiler libprotobuf-c-dev
    libnats-dev libevent-dev libpq-dev libjansson-dev libsodium-dev libxml2-dev
    libssl-dev libqrencode-dev libpng-dev
    libvips-dev # organization logos (services/identity/logo_image.c)
    # tests
    libcriterion-dev libcurl4-openssl-dev
    nodejs # the OpenID provider of the OIDC tests (tests/node, npm ci below)
    libxmlsec1-dev zlib1g-dev # SAML: signature verification, DEFLATE of requests
    openssl # the SAML test provider makes its certificate with it
    python3 # the chaos suite (tests/chaos) and the edge test of a urllib client
    python3-aiosmtpd openssl # the SMTP server (STARTTLS, AUTH) of the delivery transport suite
    # the private stack (scripts/stack.sh): servers and the tools the script uses
    postgresql-15 nats-server curl iproute2 procps util-linux
    # bench and fuzz (clang's libFuzzer/ASan runtime is libclang-rt-14-dev)
    wrk clang libclang-rt-14-dev
)

# installed <pkg>: true when dpkg knows <pkg> as fully installed
installed() {
    local status
    status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) || return 1
    [ "$status" = installed ]
}

missing=()
for p in "${PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
done

# node_deps: the test providers' npm packages (tests/node/package-lock.json),
# installed with `npm ci` when node_modules is missing or older than the lock.
node_deps() {
    local dir
    dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/node"
    [ -f "$dir/package-lock.json" ] || return 0
    if [ -d "$dir/node_modules" ] && [ "$dir/node_modules" -nt "$dir/package-lock.json" ]; then
        return 0
    fi
    if [ "${1:-}" = --check ]; then
        echo "deps: missing: npm packages of tests/node (npm ci)" >&2
        return 1
    fi
    if ! command -v npm >/dev/null 2>&1; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends npm >/dev/null
    fi
    echo "deps: npm ci in tests/node" >&2
    (cd "$dir" && npm ci --no-audit --no-fund >/dev/null) && touch "$dir/node_modules"
}

SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
fi

if [ "${#missing[@]}" -eq 0 ]; then
    node_deps "${1:-}"
    exit $?
fi
if [ "${1:-}" = --check ]; then
    echo "deps: missing: ${missing[*]}" >&2
    node_deps --check || true
    exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "deps: not root and sudo is not installed; as root run: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    SUDO=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
echo "deps: installing ${missing[*]}" >&2
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >/dev/null

still=()
for p in "${missing[@]}"; do
    installed "$p" || still+=("$p")
done
if [ "${#still[@]}" -ne 0 ]; then
    echo "deps: failed to install: ${still[*]}" >&2
    exit 1
fi
node_deps
echo "deps: done" >&2
