#!/usr/bin/env bash
# chaos.sh: runs the fault suite of issue 10 (tests/chaos/chaos.py) on a
# private stack (scripts/with-test-stack.sh): mixed load, kill -9 of daemons,
# nats-server and Postgres restarts, then the checks. `make chaos` runs the
# full form, `make chaos-short` (part of `make test`) the short one.
#
# Usage: scripts/chaos.sh [short|full]
# Environment: BUILD (build), CHAOS_CLIENTS, CHAOS_QUOTA, CHAOS_GAP_S (see
# tests/chaos/chaos.py); the request log goes to $BUILD/chaos/<mode>/.
# CHAOS_RESULTS=<file>: append the run's Criterion-style "Synthesis:" line
# there (make test totals them); a run that fails without printing one (the
# stack did not come up, a sanitizer report) appends one crash.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODE=${1:-short}
case $MODE in short | full) ;; *)
    echo "usage: scripts/chaos.sh [short|full]" >&2
    exit 2
    ;;
esac
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
export BUILD
export PYTHONDONTWRITEBYTECODE=1 # keep the source folder clean
# every client of the load comes from 127.0.0.1: onboarding's per-address limit
# of sign-ups a minute (a defence against strangers) would refuse the load
export SIGN_UP_ADDR_LIMIT=${SIGN_UP_ADDR_LIMIT:-1000000}
export CHAOS_OUT="$BUILD/chaos/$MODE"
rm -rf "$CHAOS_OUT"
mkdir -p "$CHAOS_OUT"
command -v python3 >/dev/null 2>&1 || { echo "chaos: python3 is needed" >&2; exit 1; }
command -v psql >/dev/null 2>&1 || { echo "chaos: psql is needed" >&2; exit 1; }
"$ROOT/scripts/with-test-stack.sh" python3 "$ROOT/tests/chaos/chaos.py" "$MODE" 2>&1 |
    tee "$CHAOS_OUT/output.log"
rc=${PIPESTATUS[0]}
if [ -n "${CHAOS_RESULTS:-}" ]; then
    line=$(grep -h 'Synthesis:' "$CHAOS_OUT/output.log" | tail -n 1)
    if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [[ $line == *"Failing: 0 | Crashing: 0"* ]]; }; then
        line="[====] Synthesis: Tested: 1 | Passing: 0 | Failing: 0 | Crashing: 1"
    fi
    printf '%s\n' "$line" >>"$CHAOS_RESULTS"
fi
exit "$rc"
