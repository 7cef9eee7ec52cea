#!/usr/bin/env bash
# with-test-stack.sh: runs one command against a private, throwaway copy of the
# whole suite (postgres, nats-server, the five services and the edge), started
# by scripts/stack.sh on free ports in a fresh folder $BUILD/test-var.XXXXXX.
#
# Usage: scripts/with-test-stack.sh <command> [args...]
#
# The command sees:
#   TEST_EDGE_URL   http://127.0.0.1:<port>          the edge
#   TEST_NATS_URL   nats://127.0.0.1:<port>
#   TEST_PG_URL     postgresql://postgres:<pw>@127.0.0.1:<port>/health  (admin role)
#   TEST_VAR_DIR    the stack's folder (logs in $TEST_VAR_DIR/log)
#   TEST_STACK      absolute path of scripts/stack.sh; VAR_DIR is exported too, so
#                   "$TEST_STACK" stop authz / start authz 2 / restart-nats just work
#   TEST_API_USER, TEST_API_KEY   the bootstrap API credential
#   TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD   the platform admin (a user; log in with them)
#   TEST_SPOOL_DIR  where messaging's local transport writes outgoing email/SMS
#   VAR_DIR BUILD EDGE_PORT NATS_PORT PG_PORT ADMIN_PORT_BASE REQUEST_TIMEOUT_MS
# REQUEST_TIMEOUT_MS is 2000, ONBOARDING_TEST_DROP_CREATE_REPLY it-lost-reply- and
# LOGIN_ADDR_LOCK_AFTER 100000 unless set. The stack is always stopped afterwards
# (also on Ctrl-C). The folder is deleted when the command succeeds, and kept,
# with the daemons' log tails printed, when it fails. Exit code: the command's
# (or stack.sh up's, when the stack does not come up), or 1 when the command
# passed but a daemon's log holds an AddressSanitizer, LeakSanitizer or UBSan
# report (SANITIZER_CHECK=0 turns that check off).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK="$ROOT/scripts/stack.sh"

say() { printf 'with-test-stack: %s\n' "$*" >&2; }

if [ $# -lt 1 ]; then
    echo "usage: scripts/with-test-stack.sh <command> [args...]" >&2
    exit 2
fi

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
mkdir -p "$BUILD" || exit 1

# listening_ports: prints every local TCP port something listens on
listening_ports() {
    if command -v ss >/dev/null 2>&1; then
        ss -Htln 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }'
    fi
}

# block_free <base>: true when no port in base..base+99 is listened on
block_free() {
    local base=$1 p
    declare -A used=()
    for p in $(listening_ports); do used[$p]=1; done
    for ((p = base; p < base + 100; p++)); do
        [ -n "${used[$p]:-}" ] && return 1
        if ! command -v ss >/dev/null 2>&1 && (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            return 1
        fi
    done
    return 0
}

# pick_ports: a random free block of 100 ports, outside the kernel's ephemeral
# range (so an outgoing connection cannot take one meanwhile):
#   base+0 edge, +1 nats, +2 postgres, +10..+15 admin ports of instance 1,
#   +30..+35 instance 2, +50..+55 instance 3, +70..+75 instance 4, +90..+95 instance 5
pick_ports() {
    local lo=20000 hi=32000 eph_lo=32768 eph_hi=60999 try base
    if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
        read -r eph_lo eph_hi </proc/sys/net/ipv4/ip_local_port_range
    fi
    if [ "$eph_lo" -lt $((hi + 100)) ]; then # ephemeral range starts low: go above it
        lo=$((eph_hi + 1))
        hi=65400
        if [ "$lo" -ge "$hi" ]; then lo=20000 hi=32000; fi
    fi
    for ((try = 0; try < 50; try++)); do
        base=$((lo + (RANDOM * 32768 + RANDOM) % ((hi - lo) / 100) * 100))
        if block_free "$base"; then
            EDGE_PORT=$base NATS_PORT=$((base + 1)) PG_PORT=$((base + 2)) ADMIN_PORT_BASE=$((base + 10))
            return 0
        fi
    done
    say "no free block of 100 ports found in $lo..$hi"
    return 1
}

pick_ports || exit 1
VAR_DIR=$(mktemp -d "$BUILD/test-var.XXXXXX") || exit 1
chmod 755 "$VAR_DIR" # the postgres user must reach VAR_DIR/pg; secrets stay 600
export VAR_DIR BUILD EDGE_PORT NATS_PORT PG_PORT ADMIN_PORT_BASE
export REQUEST_TIMEOUT_MS=${REQUEST_TIMEOUT_MS:-2000}
# test-only fault (README "Flows that span services"): onboarding drops the
# reply of the first identity.rpc.CreateAccount of sign-ups whose username
# starts with this prefix
export ONBOARDING_TEST_DROP_CREATE_REPLY=${ONBOARDING_TEST_DROP_CREATE_REPLY:-it-lost-reply-}
# every suite logs in from 127.0.0.1: the per-address limit on failed logins
# (login_throttle.h) would otherwise lock the whole run out; its own test
# restarts identity with a low one
export LOGIN_ADDR_LOCK_AFTER=${LOGIN_ADDR_LOCK_AFTER:-100000}
export BOOTSTRAP_API_USER=test-api-user
export BOOTSTRAP_API_KEY=test-api-key-0123456789abcdef
export BOOTSTRAP_ADMIN_EMAIL=admin@test.example
export BOOTSTRAP_ADMIN_PASSWORD=Test-Admin-Pass-4821!
# cheap argon2id for tests (make bench measures the real cost)
export PWHASH_OPSLIMIT=${PWHASH_OPSLIMIT:-1}
export PWHASH_MEMLIMIT_KIB=${PWHASH_MEMLIMIT_KIB:-8192}
# internal-auth reads its JWKS from this file at each use: the suite
# internal_auth writes the public keys it signs with there
export INTERNAL_AUTH_JWKS_FILE=${INTERNAL_AUTH_JWKS_FILE:-$VAR_DIR/internal-auth-jwks.json}

rc=0
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
    local f
    trap - EXIT INT TERM
    "$STACK" down || say "stack.sh down failed"
    # a daemon built with sanitizers (make asan) reports at exit into its log
    if [ "${SANITIZER_CHECK:-1}" = 1 ] && [ -d "$VAR_DIR/log" ] &&
        grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$VAR_DIR"/log/*.log >/dev/null 2>&1; then
        say "sanitizer reports in the daemons' logs:"
        grep -n -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$VAR_DIR"/log/*.log >&2
        [ "$rc" -ne 0 ] || rc=1
    fi
    if [ "$rc" -eq 0 ]; then
        "$STACK" clean >/dev/null 2>&1 || rm -rf "$VAR_DIR"
    else
        say "failed (exit $rc); the stack's folder is kept: $VAR_DIR"
        say "logs: $VAR_DIR/log/"
        for f in "$VAR_DIR"/log/*.log; do
            [ -e "$f" ] || continue
            printf -- '----- tail of %s -----\n' "$f" >&2
            tail -n 20 "$f" >&2
        done
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'rc=130; exit 130' INT
trap 'rc=143; exit 143' TERM

say "stack on edge :$EDGE_PORT nats :$NATS_PORT postgres :$PG_PORT admin :$ADMIN_PORT_BASE.. in $VAR_DIR"
export SHORT_LINK_BASE="http://127.0.0.1:$EDGE_PORT" # short links point at this stack's edge
"$STACK" up
rc=$?
if [ "$rc" -ne 0 ]; then
    say "the stack did not come up"
    exit "$rc"
fi

export TEST_EDGE_URL="http://127.0.0.1:$EDGE_PORT"
export TEST_NATS_URL="nats://127.0.0.1:$NATS_PORT"
TEST_PG_URL=$("$STACK" pg-url)
export TEST_PG_URL
export TEST_VAR_DIR="$VAR_DIR"
export TEST_STACK="$STACK"
export TEST_API_USER="$BOOTSTRAP_API_USER"
export TEST_API_KEY="$BOOTSTRAP_API_KEY"
export TEST_ADMIN_EMAIL="$BOOTSTRAP_ADMIN_EMAIL"
export TEST_ADMIN_PASSWORD="$BOOTSTRAP_ADMIN_PASSWORD"
export TEST_SPOOL_DIR="$VAR_DIR/spool"

"$@"
rc=$?
exit "$rc"
