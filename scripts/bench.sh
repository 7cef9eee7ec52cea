#!/usr/bin/env bash
# bench.sh: `make bench`. On a private stack (scripts/with-test-stack.sh) it
# measures, each beside a plain libevent server (build/bin/hello_server, same
# threading model as the edge) measured in the same run on the same machine:
#   - GET /api/2015-02-01/util/test/1 with an API key through the whole chain
#     (edge → NATS → messaging → reply); target >= 40% of the plain server;
#   - GET /v1/users/{id} with a Bearer access token (edge verifies the token,
#     identity reads Postgres); target >= 30%;
# and with build/bin/auth_bench, at the default argon2id cost:
#   - raw argon2id hashes/s on every core, beside logins/s through the edge
#     (target >= 80% of the raw rate), and refresh-token rotations/s (>= 1000);
#   - GET /v1/users/{id} with BENCH_READ_CONNECTIONS (8) connections alone,
#     then while BENCH_LOGIN_CLIENTS clients log in back to back (password
#     work runs on identity's own pool): target >= 80% of the reads alone,
#     p99 < 20 ms;
# and on two generated authz data sets (scripts/authz_dataset.sql; by default
# 10,000 individuals / 1,000 groups / 100,000 memberships, then 100,000 /
# 10,000 / 1,000,000), each regenerated into authz's schema on the stack:
#   - POST /v1/authz-resource-access/ through the edge (a mix of sample checks,
#     tests/bench/authz_access.lua) at 10 and at 50 connections, each beside
#     hello at the same count: target >= 40% of the plain server, p99 < 2 ms
#     at 10 clients (hello's own p50/p99 printed beside it);
#   - authz.rpc.Check over NATS alone (build/bin/check_bench): sequential
#     p50/p99 (target p50 < 0.1 ms) and checks/s with 64 in flight;
#   - the time per check on the large set over the small one (target < 1.5x);
# and the cost of durable commits: POST /v1/organizations/ (one commit each,
# tests/bench/org_create.lua) with synchronous_commit on (the stack's
# default) and off (ALTER SYSTEM + reload, reset afterwards), alternating;
# the clinical API (scripts/bench_clinical.sh; BENCH_CLINICAL=0 skips it):
# threads created/s, messages posted/s and counters read p50/p99 beside
# the plain server; and large bodies (scripts/bench_bigbody.sh; BENCH_BIGBODY=0 skips them): the
# admin/users export of BENCH_EXPORT_USERS (100,000) users in MB/s with the
# edge's and messaging's peak memory, and a BENCH_UPLOAD_MB (20) MB
# attachment up and down.
#
# Method: wrk warms each server up, then measures them alternately
# (hello, edge, hello, edge, ...) with the same settings; for each the round
# with the most requests/s is reported, with that round's p50 and p99, so
# noise on the machine hurts both alike. Any non-2xx response, socket error or
# empty run fails the bench. While wrk runs, pidstat (sysstat), when present,
# samples the CPU used by each process; the split for the reported rounds is
# printed under the table. Raw wrk and pidstat output, and a copy of the
# stack's logs, are left in $BUILD/bench/.
#
# Usage: scripts/bench.sh            (BUILD=build, as `make bench` runs it)
# Environment (defaults):
#   BENCH_DURATION (10s)  BENCH_CONNECTIONS (64)  BENCH_THREADS (2)   wrk -d -c -t
#   BENCH_WARMUP (2s)     BENCH_ROUNDS (2)        BENCH_CPU (1: pidstat when installed)
#   BENCH_LOG_LEVEL (warn) the stack's LOG_LEVEL, so logging does not dominate
#   HELLO_THREADS (EDGE_THREADS, else the edge's own default: half the cores,
#                  1 below 4 cores)  loop threads of hello_server, so both
#                  servers run the same number of loops
#   BENCH_AUTH_SECONDS (10) BENCH_LOGIN_CLIENTS (4) BENCH_REFRESH_CLIENTS (8)
#   PWHASH_OPSLIMIT (2) PWHASH_MEMLIMIT_KIB (65536)   argon2id cost, as deployed
#   BENCH_AUTHZ (1: the authz figures; 0 skips them)
#   BENCH_AUTHZ_SIZES ("10000 100000") individuals of each data set, small first
#   BENCH_AUTHZ_SEED (42) BENCH_AUTHZ_SAMPLES (50000) sample checks per data set
#   BENCH_AUTHZ_CLIENTS ("10 50") BENCH_AUTHZ_DURATION (6s)  wrk -c and -d per round
#   BENCH_CHECK_SECONDS (5) seconds sequential, then as many with
#   BENCH_CHECK_IN_FLIGHT (64) requests outstanding
#   BENCH_COMMIT (1: the durable-commit figure; 0 skips it) BENCH_COMMIT_CLIENTS (8)
#   BENCH_CLINICAL (1: the clinical API figures, scripts/bench_clinical.sh; 0 skips them)
#   BENCH_UTIL (1: the util/test pair; 0 skips it)
#   BENCH_AUTH (1: argon2id, logins, reads under logins, refreshes; 0 skips them)
# Exit code: 0 when the figures were measured, whether or not the target is
# met; non-zero when something broke (build missing, stack down, errors).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
export BUILD

DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-2s}
ROUNDS=${BENCH_ROUNDS:-2}
BENCH_CPU=${BENCH_CPU:-1}
AUTH_SECONDS=${BENCH_AUTH_SECONDS:-10}
AUTHZ=${BENCH_AUTHZ:-1}
AUTHZ_SIZES=${BENCH_AUTHZ_SIZES:-10000 100000}
AUTHZ_SEED=${BENCH_AUTHZ_SEED:-42}
AUTHZ_SAMPLES=${BENCH_AUTHZ_SAMPLES:-50000}
AUTHZ_CLIENTS=${BENCH_AUTHZ_CLIENTS:-10 50}
AUTHZ_DURATION=${BENCH_AUTHZ_DURATION:-6s}
CHECK_SECONDS=${BENCH_CHECK_SECONDS:-5}
CHECK_IN_FLIGHT=${BENCH_CHECK_IN_FLIGHT:-64}
AUTHZ_PATH=/v1/authz-resource-access/
AUTH_CLIENTS=${BENCH_LOGIN_CLIENTS:-4}
READ_CONNECTIONS=${BENCH_READ_CONNECTIONS:-8}
REFRESH_CLIENTS=${BENCH_REFRESH_CLIENTS:-8}
API_PATH=/api/2015-02-01/util/test/1
OUT="$BUILD/bench"

say() { printf 'bench: %s\n' "$*" >&2; }
# shellcheck source=scripts/bench_clinical.sh
. "$ROOT/scripts/bench_clinical.sh"
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

# seconds_of <wrk duration>: 10 / 10s / 2m -> whole seconds; fails otherwise
seconds_of() {
    case $1 in
    *[!0-9smh]* | "" | [smh]*) return 1 ;;
    *h) echo $((${1%h} * 3600)) ;;
    *m) echo $((${1%m} * 60)) ;;
    *s) echo $((${1%s})) ;;
    *) echo $(($1)) ;;
    esac
}

check_settings() {
    local v
    seconds_of "$DURATION" >/dev/null || die "BENCH_DURATION must look like 10s, got '$DURATION'"
    seconds_of "$WARMUP" >/dev/null || die "BENCH_WARMUP must look like 2s, got '$WARMUP'"
    for v in CONNECTIONS THREADS ROUNDS AUTHZ_SEED AUTHZ_SAMPLES CHECK_SECONDS CHECK_IN_FLIGHT; do
        [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_$v must be a number >= 1, got '${!v}'"
    done
    seconds_of "$AUTHZ_DURATION" >/dev/null || die "BENCH_AUTHZ_DURATION must look like 6s"
    for v in $AUTHZ_SIZES; do
        [[ $v =~ ^[1-9][0-9]*$ ]] && ((v % 2000 == 0)) ||
            die "BENCH_AUTHZ_SIZES: each must be a multiple of 2000, got '$v'"
    done
    for v in $AUTHZ_CLIENTS; do
        [[ $v =~ ^[1-9][0-9]*$ ]] || die "BENCH_AUTHZ_CLIENTS: numbers >= 1, got '$v'"
    done
    [ "$CONNECTIONS" -ge "$THREADS" ] || die "BENCH_CONNECTIONS must be >= BENCH_THREADS"
}

# --- outer phase: check the tools, then run the inner phase on a stack -------

outer() {
    check_settings
    command -v wrk >/dev/null 2>&1 || die "wrk not found (apt-get install wrk)"
    command -v curl >/dev/null 2>&1 || die "curl not found"
    [ -x "$BUILD/bin/hello_server" ] || die "$BUILD/bin/hello_server missing: run 'make build'"
    [ -x "$BUILD/bin/edge" ] || die "$BUILD/bin/edge missing: run 'make build'"
    export LOG_LEVEL=${BENCH_LOG_LEVEL:-warn}
    # the real argon2id cost (the test stack lowers it otherwise)
    export PWHASH_OPSLIMIT=${PWHASH_OPSLIMIT:-2} PWHASH_MEMLIMIT_KIB=${PWHASH_MEMLIMIT_KIB:-65536}
    [ -x "$BUILD/bin/auth_bench" ] || die "$BUILD/bin/auth_bench missing: run 'make build'"
    if [ "$AUTHZ" = 1 ]; then
        [ -x "$BUILD/bin/check_bench" ] || die "$BUILD/bin/check_bench missing: run 'make build'"
        command -v psql >/dev/null 2>&1 || die "psql not found (apt-get install postgresql-client)"
    fi
    exec "$ROOT/scripts/with-test-stack.sh" "$ROOT/scripts/bench.sh" --inner
}

# --- inner phase: runs inside with-test-stack.sh ----------------------------

HELLO_PID=
PIDSTAT_PID=
PIDSTAT_WRK_PID=
WORK=

cleanup() {
    local i
    trap - EXIT INT TERM
    if [ -n "$PIDSTAT_PID" ]; then
        kill "$PIDSTAT_PID" ${PIDSTAT_WRK_PID:-} 2>/dev/null
        wait "$PIDSTAT_PID" ${PIDSTAT_WRK_PID:-} 2>/dev/null
    fi
    if [ -n "$HELLO_PID" ] && kill -0 "$HELLO_PID" 2>/dev/null; then
        kill -TERM "$HELLO_PID" 2>/dev/null
        for ((i = 0; i < 30; i++)); do # hello_server leaves within 100 ms
            kill -0 "$HELLO_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$HELLO_PID" 2>/dev/null; then
            say "hello_server (pid $HELLO_PID) ignored SIGTERM, killing it"
            kill -KILL "$HELLO_PID" 2>/dev/null
        fi
        wait "$HELLO_PID" 2>/dev/null
    fi
    [ -n "$WORK" ] && rm -rf "$WORK"
}

# free_port: a port in 20000..32000 nobody listens on (below the ephemeral range)
free_port() {
    local try p used
    used=$(ss -Htln 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }')
    for ((try = 0; try < 100; try++)); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        if ! grep -qx "$p" <<<"$used"; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# start_hello: starts hello_server on a free port, waits until it answers
start_hello() {
    local try i port code
    for ((try = 0; try < 5; try++)); do
        port=$(free_port) || die "no free port for hello_server"
        "$BUILD/bin/hello_server" "$port" >"$OUT/hello_server.log" 2>&1 &
        HELLO_PID=$!
        for ((i = 0; i < 50; i++)); do
            kill -0 "$HELLO_PID" 2>/dev/null || break
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/" || true)
            if [ "$code" = 200 ]; then
                HELLO_URL="http://127.0.0.1:$port"
                return 0
            fi
            sleep 0.1
        done
        if kill -0 "$HELLO_PID" 2>/dev/null; then
            kill -TERM "$HELLO_PID"
            wait "$HELLO_PID" 2>/dev/null
            HELLO_PID=
            die "hello_server on port $port does not answer"
        fi
        wait "$HELLO_PID" 2>/dev/null
        HELLO_PID=
        say "hello_server did not start on port $port ($(tail -n 1 "$OUT/hello_server.log")), trying another"
    done
    die "hello_server did not start"
}

# check_edge: one authenticated request must come back 200 with status ok
check_edge() {
    local code body
    body=$(curl -s -H "$AUTH_HEADER" -w '\n%{http_code}' --max-time 5 "$TEST_EDGE_URL$API_PATH") ||
        die "edge at $TEST_EDGE_URL does not answer"
    code=${body##*$'\n'}
    body=${body%$'\n'*}
    [ "$code" = 200 ] || die "GET $API_PATH through the edge: HTTP $code: $body"
    case $body in
    *'"status"'*'"ok"'*) ;;
    *) die "GET $API_PATH through the edge: unexpected body: $body" ;;
    esac
    say "edge answers: $body"
}

# run_wrk <duration> <out-file> <url> [wrk args...]: one wrk run, output kept
run_wrk() {
    local d=$1 f=$2 url=$3
    shift 3
    local t=$((THREADS < CONNECTIONS ? THREADS : CONNECTIONS))
    if ! wrk --latency -t"$t" -c"$CONNECTIONS" -d"$d" "$@" "$url" >"$f" 2>&1; then
        cat "$f" >&2
        die "wrk failed against $url"
    fi
}

# parse_wrk <file>: prints "rps p50_ms p99_ms requests non2xx socket_errors"
parse_wrk() {
    awk '
    function ms(v) {
        if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
        if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
        if (v ~ /m$/) return substr(v, 1, length(v) - 1) * 60000
        if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
        return -1
    }
    BEGIN { rps = -1; p50 = -1; p99 = -1; n = 0; bad = 0; sock = 0 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { n = $1 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ {
        for (i = 3; i <= NF; i += 2) { gsub(",", "", $(i + 1)); sock += $(i + 1) }
    }
    END { printf "%s %s %s %s %s %s\n", rps, p50, p99, n, bad, sock }
    ' "$1"
}

# check_run <label> <file>: fails loudly unless the run was clean
check_run() {
    local label=$1 f=$2 rps p50 p99 n bad sock
    read -r rps p50 p99 n bad sock < <(parse_wrk "$f")
    if [ "$rps" = -1 ] || [ "$p50" = -1 ] || [ "$p99" = -1 ] || [ "$n" = 0 ] ||
        [ "$bad" != 0 ] || [ "$sock" != 0 ]; then
        cat "$f" >&2
        die "$label: $n requests, $bad non-2xx responses, $sock socket errors (output above, kept in $f)"
    fi
}

# stack_pids: the pids of this bench's own processes, comma-separated: hello,
# the daemons and nats-server of the stack, its Postgres server and the
# backends running now (the workers' connections live through a run); so
# that other work on a shared machine (other stacks, compilers) is not
# counted as ours
stack_pids() {
    local f pm pids=${HELLO_PID:-}
    for f in "$TEST_VAR_DIR"/run/*.pid; do
        [ -s "$f" ] && pids="$pids,$(cat "$f")"
    done
    pm=$(head -n 1 "$TEST_VAR_DIR/pg/data/postmaster.pid" 2>/dev/null)
    if [ -n "$pm" ]; then
        pids="$pids,$pm"
        pids="$pids,$(pgrep -d, -P "$pm")"
    fi
    printf '%s\n' "$pids" | tr -s ',' | sed 's/^,//; s/,$//'
}

# cpu_start <file>: samples per-process CPU every second for one measured
# run: this stack's processes (stack_pids) and wrk
cpu_start() {
    local secs pids
    PIDSTAT_PID= PIDSTAT_WRK_PID=
    [ "$BENCH_CPU" = 1 ] && command -v pidstat >/dev/null 2>&1 || return 0
    secs=$(seconds_of "$DURATION")
    [ "$secs" -ge 3 ] || return 0
    pids=$(stack_pids)
    [ -n "$pids" ] || return 0
    LC_ALL=C pidstat -u -p "$pids" 1 $((secs - 1)) >"$1" 2>&1 &
    PIDSTAT_PID=$!
    LC_ALL=C pidstat -u -C '^wrk$' 1 $((secs - 1)) >"$1.wrk" 2>&1 &
    PIDSTAT_WRK_PID=$!
}

cpu_stop() {
    [ -n "$PIDSTAT_PID" ] || return 0
    wait "$PIDSTAT_PID" 2>/dev/null
    wait "$PIDSTAT_WRK_PID" 2>/dev/null
    cat "$1.wrk" >>"$1" 2>/dev/null
    rm -f "$1.wrk"
    PIDSTAT_PID= PIDSTAT_WRK_PID=
}

# cpu_summary <file> [req/s]: "%CPU command" of each process above 1% of one
# core, from pidstat's Average lines, busiest first; with the rate of the
# run, also its CPU per request in µs
cpu_summary() {
    [ -s "$1" ] || return 0
    awk -v rps="${2:-0}" '
    /^Average:/ && $0 ~ /%CPU/ { for (i = 1; i <= NF; i++) { if ($i == "%CPU") c = i; if ($i == "Command") k = i } next }
    /^Average:/ && c && $c + 0 >= 1 { cpu[$k] += $c }
    END {
        for (p in cpu) {
            if (rps > 0) printf "%7.1f%%  %-16s %6.1f us/request\n", cpu[p], p, cpu[p] * 10000 / rps
            else printf "%7.1f%%  %s\n", cpu[p], p
        }
    }
    ' "$1" | sort -rn
}

# log_summary: copies the stack logs to $OUT/logs and counts warn/error lines
log_summary() {
    local f n_err n_warn
    mkdir -p "$OUT/logs"
    for f in "$TEST_VAR_DIR"/log/*.log; do
        [ -e "$f" ] || continue
        cp -L "$f" "$OUT/logs/" 2>/dev/null || continue
        n_err=$(grep -c -e '"level":"error"' -e ' ERROR: ' -e ' FATAL: ' -e '\[ERR\]' "$f" 2>/dev/null)
        n_warn=$(grep -c -e '"level":"warn"' -e ' WARNING: ' -e '\[WRN\]' "$f" 2>/dev/null)
        if [ "${n_err:-0}" != 0 ] || [ "${n_warn:-0}" != 0 ]; then
            printf '  %-20s %s error, %s warn lines\n' "${f##*/}" "${n_err:-0}" "${n_warn:-0}"
        fi
    done
}

fmt_ms() { awk -v v="$1" 'BEGIN { printf "%.2fms", v }'; }

# [PAIR_TARGET=%] [PAIR_CONNECTIONS=n] [PAIR_DURATION=d] [PAIR_ROWS=file]
# measure_pair <label> <path> [wrk args...]: hello and the edge on path,
# alternating, best round of each, with n connections (BENCH_CONNECTIONS)
# for d (BENCH_DURATION) a round; appends table rows to file ($OUT/rows) and
# the CPU split to $OUT/cpu.txt, and leaves the figures in PAIR_H_RPS,
# PAIR_H_P50, PAIR_H_P99, PAIR_E_RPS, PAIR_E_P50 and PAIR_E_P99 (ms)
measure_pair() {
    local label=$1 path=$2 r rps p50 p99 n bad sock best_h=0 best_e=0 slug
    local h_rps h_p50 h_p99 e_rps e_p50 e_p99 h_cpu='' e_cpu=''
    # run_wrk and cpu_start read these (bash scoping is dynamic)
    local CONNECTIONS=${PAIR_CONNECTIONS:-$CONNECTIONS} DURATION=${PAIR_DURATION:-$DURATION}
    shift 2
    slug=$(printf '%s' "$label" | tr -c 'a-zA-Z0-9' '-')
    say "$label: warm-up $WARMUP each"
    run_wrk "$WARMUP" "$OUT/warmup-hello-$slug.txt" "$HELLO_URL$path"
    check_run "hello warm-up" "$OUT/warmup-hello-$slug.txt"
    run_wrk "$WARMUP" "$OUT/warmup-edge-$slug.txt" "$TEST_EDGE_URL$path" "$@"
    check_run "$label warm-up" "$OUT/warmup-edge-$slug.txt"
    for ((r = 1; r <= ROUNDS; r++)); do
        say "$label round $r/$ROUNDS: hello"
        cpu_start "$OUT/cpu-hello-$slug-$r.txt"
        run_wrk "$DURATION" "$OUT/hello-$slug-$r.txt" "$HELLO_URL$path"
        cpu_stop "$OUT/cpu-hello-$slug-$r.txt"
        check_run "hello round $r" "$OUT/hello-$slug-$r.txt"
        read -r rps p50 p99 n bad sock < <(parse_wrk "$OUT/hello-$slug-$r.txt")
        say "  $rps req/s, p50 $(fmt_ms "$p50"), p99 $(fmt_ms "$p99")"
        if awk -v a="$rps" -v b="$best_h" 'BEGIN { exit !(a > b) }'; then
            best_h=$rps h_rps=$rps h_p50=$p50 h_p99=$p99 h_cpu="$OUT/cpu-hello-$slug-$r.txt"
        fi
        say "$label round $r/$ROUNDS: edge"
        cpu_start "$OUT/cpu-edge-$slug-$r.txt"
        run_wrk "$DURATION" "$OUT/edge-$slug-$r.txt" "$TEST_EDGE_URL$path" "$@"
        cpu_stop "$OUT/cpu-edge-$slug-$r.txt"
        check_run "$label round $r" "$OUT/edge-$slug-$r.txt"
        read -r rps p50 p99 n bad sock < <(parse_wrk "$OUT/edge-$slug-$r.txt")
        say "  $rps req/s, p50 $(fmt_ms "$p50"), p99 $(fmt_ms "$p99")"
        if awk -v a="$rps" -v b="$best_e" 'BEGIN { exit !(a > b) }'; then
            best_e=$rps e_rps=$rps e_p50=$p50 e_p99=$p99 e_cpu="$OUT/cpu-edge-$slug-$r.txt"
        fi
    done
    {
        printf '%-34s %-9.0f %-8s %s\n' "plain libevent hello" "$h_rps" "$(fmt_ms "$h_p50")" "$(fmt_ms "$h_p99")"
        printf '%-34s %-9.0f %-8s %s\n' "$label" "$e_rps" "$(fmt_ms "$e_p50")" "$(fmt_ms "$e_p99")"
        printf '%-34s %-9s %s\n' "  ratio to plain" \
            "$(awk -v e="$e_rps" -v h="$h_rps" 'BEGIN { printf "%.0f%%", 100 * e / h }')" \
            "$([ -n "${PAIR_TARGET:-}" ] && echo "(target >= $PAIR_TARGET%)" || echo "(no target)")"
    } >>"${PAIR_ROWS:-$OUT/rows}"
    PAIR_H_RPS=$h_rps PAIR_H_P50=$h_p50 PAIR_H_P99=$h_p99
    PAIR_E_RPS=$e_rps PAIR_E_P50=$e_p50 PAIR_E_P99=$e_p99
    if [ -n "$h_cpu" ] && [ -s "$h_cpu" ]; then
        {
            echo " $label vs hello, CPU (% of one core, pidstat average, >= 1%):"
            echo "  hello ($h_rps req/s):"
            cpu_summary "$h_cpu" "$h_rps" | sed 's/^/   /'
            echo "  edge ($e_rps req/s):"
            cpu_summary "$e_cpu" "$e_rps" | sed 's/^/   /'
        } >>"$OUT/cpu.txt"
    fi
}

# login_as_admin: logs the platform admin in; sets ADMIN_TOKEN and ADMIN_ID
login_as_admin() {
    local body
    body=$(curl -s --max-time 30 -H 'Content-Type: application/json' \
        -d "{\"username\":\"$TEST_ADMIN_EMAIL\",\"password\":\"$TEST_ADMIN_PASSWORD\"}" \
        "$TEST_EDGE_URL/v1/login/") || die "login through the edge failed"
    ADMIN_TOKEN=$(printf '%s' "$body" | sed -n 's/.*"access-token": *"\([^"]*\)".*/\1/p')
    ADMIN_ID=$(printf '%s' "$body" | sed -n 's/.*"user-id": *"\([^"]*\)".*/\1/p')
    [ -n "$ADMIN_TOKEN" ] && [ -n "$ADMIN_ID" ] || die "login answered without a token: $body"
}

# auth_figure <var> <mode> <threads> <seconds> [args]: one auth_bench line
# into variable var; dies (in this shell) unless every operation succeeded
auth_figure() {
    local var=$1 line
    shift
    line=$("$BUILD/bin/auth_bench" "$@" 2>>"$OUT/auth_bench.err") ||
        die "auth_bench $1 failed: ${line:-no output}: $(tail -n 3 "$OUT/auth_bench.err")"
    printf -v "$var" '%s' "$line"
}

# reads_under_logins <path> <wrk args...>: reads alone, then the same reads
# while auth_bench logs in with AUTH_CLIENTS clients; appends the rows
reads_under_logins() {
    local path=$1 secs a_rps a_p50 a_p99 u_rps u_p50 u_p99 x lpid line
    local CONNECTIONS=$READ_CONNECTIONS # run_wrk reads it (dynamic scoping)
    shift
    secs=$(seconds_of "$DURATION")
    say "user reads alone, $DURATION"
    run_wrk "$DURATION" "$OUT/reads-alone.txt" "$TEST_EDGE_URL$path" "$@"
    check_run "reads alone" "$OUT/reads-alone.txt"
    read -r a_rps a_p50 a_p99 x x x < <(parse_wrk "$OUT/reads-alone.txt")
    say "user reads under $AUTH_CLIENTS login clients, $DURATION"
    "$BUILD/bin/auth_bench" login "$AUTH_CLIENTS" $((secs + 2)) "$TEST_EDGE_URL" \
        "$TEST_ADMIN_EMAIL" "$TEST_ADMIN_PASSWORD" >"$OUT/logins-under-reads.txt" \
        2>>"$OUT/auth_bench.err" &
    lpid=$!
    sleep 1
    run_wrk "$DURATION" "$OUT/reads-under-logins.txt" "$TEST_EDGE_URL$path" "$@"
    wait "$lpid" # a full pool's 503s are retried after Retry-After and counted; errors shown, not fatal
    check_run "reads under logins" "$OUT/reads-under-logins.txt"
    read -r u_rps u_p50 u_p99 x x x < <(parse_wrk "$OUT/reads-under-logins.txt")
    line=$(cat "$OUT/logins-under-reads.txt")
    {
        printf '%-34s %-9.0f %-8s %s\n' "user reads alone ($CONNECTIONS conns)" "$a_rps" "$(fmt_ms "$a_p50")" "$(fmt_ms "$a_p99")"
        printf '%-34s %-9.0f %-8s %s   (target p99 < 20ms)\n' "user reads under logins" "$u_rps" \
            "$(fmt_ms "$u_p50")" "$(fmt_ms "$u_p99")"
        printf '%-34s %-9s (target >= 80%%)\n' "  under logins/alone" \
            "$(awk -v u="$u_rps" -v a="$a_rps" 'BEGIN { printf "%.0f%%", 100 * u / a }')"
        awk -v c="$AUTH_CLIENTS" '{ printf "%-34s %-9.1f %-8s %s   (%d errors, %d answered 503 at once: pool full)\n", \
            "  logins meanwhile (" c " clients)", $2, sprintf("%.2fms", $3), sprintf("%.2fms", $4), $6, $7 }' <<<"$line"
    } >>"$OUT/rows"
}

# --- authz: generated data sets, checks through the edge and over NATS -----

declare -A AZ # figures of the authz data sets, keyed <what>_<individuals>[_<clients>]

# wait_populated: authz's first population from identity must be over before
# a data set goes in (it removes projected users identity does not know,
# and the bench users live in authz's projection only)
wait_populated() {
    local i v
    for ((i = 0; i < 300; i++)); do
        v=$(psql "$TEST_PG_URL" -X -Atqc \
            'SELECT last_populated_at IS NOT NULL FROM authz.projection_state' 2>/dev/null)
        [ "$v" = t ] && return 0
        sleep 0.1
    done
    die "authz's projection was not populated from identity within 30 s"
}

# authz_dataset <individuals>: (re)generates that data set into authz's
# schema and its sample checks into $OUT/authz-samples-<individuals>.tsv
authz_dataset() {
    local n=$1 line
    say "authz data set: $n individuals, seed $AUTHZ_SEED, $AUTHZ_SAMPLES samples"
    line=$(psql "$TEST_PG_URL" -X -q -v ON_ERROR_STOP=1 -v individuals="$n" \
        -v seed="$AUTHZ_SEED" -v samples="$AUTHZ_SAMPLES" \
        -v samples_file="$OUT/authz-samples-$n.tsv" -f "$ROOT/scripts/authz_dataset.sql" \
        2>"$OUT/authz-dataset-$n.err") ||
        die "authz data set of $n individuals: $(tail -n 3 "$OUT/authz-dataset-$n.err")"
    say "$line"
    AZ[gen_$n]=$(sed -n 's/.*generated in \([0-9.]*\) s.*/\1/p' <<<"$line")
    AZ[groups_$n]=$(sed -n 's/.* \([0-9]*\) groups,.*/\1/p' <<<"$line")
    AZ[members_$n]=$(sed -n 's/.* \([0-9]*\) memberships,.*/\1/p' <<<"$line")
    AZ[staff_$n]=$(sed -n 's/.* \([0-9]*\) staff users.*/\1/p' <<<"$line")
    index_fresh "$n"
}

# index_fresh <individuals>: waits until authz's in-memory access index has
# applied the change log the data set wrote (authz.index_copies against
# authz.index_log), then records authz's resident memory (ps rss, KiB): the
# growth from one data set to the next, over the growth in memberships, is
# the memory per million memberships (the log line with the index's own
# count is at level info, which the bench does not log)
index_fresh() {
    local n=$1 i v t0
    t0=$(date +%s.%N)
    for ((i = 0; i < 1200; i++)); do
        v=$(psql "$TEST_PG_URL" -X -Atqc "SELECT count(*) FROM authz.index_copies WHERE applied <
            (SELECT coalesce(max(seq), 0) FROM authz.index_log)
            AND seen_at > now() - interval '3 seconds'" 2>/dev/null)
        [ "$v" = 0 ] && break
        sleep 0.1
    done
    [ "$v" = 0 ] || die "authz's access index did not catch up with the data set within 120 s"
    AZ[index_wait_$n]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    AZ[rss_$n]=$(ps -o rss= -p "$(cat "$TEST_VAR_DIR/run/authz.pid")" | tr -d ' ')
    say "access index caught up in ${AZ[index_wait_$n]} s; authz resident: ${AZ[rss_$n]} KiB"
}

# authz_sanity <samples>: the first sample through the edge answers 201 {allow}
authz_sanity() {
    local user query body code
    IFS=$'\t' read -r user query <"$1"
    body=$(curl -s --max-time 5 -H "Authorization: Bearer $ADMIN_TOKEN" \
        -H 'Content-Type: application/json' -w '\n%{http_code}' \
        -d "{\"user-id\":\"$user\",\"access-query\":[\"$query\"]}" "$TEST_EDGE_URL$AUTHZ_PATH") ||
        die "edge at $TEST_EDGE_URL does not answer"
    code=${body##*$'\n'}
    body=${body%$'\n'*}
    [ "$code" = 201 ] && [[ $body == *'"allow"'* ]] || die "POST $AUTHZ_PATH: HTTP $code: $body"
}

# authz_set <individuals>: every authz figure on that data set, into AZ
authz_set() {
    local n=$1 c line samples="$OUT/authz-samples-$1.tsv"
    authz_dataset "$n"
    login_as_admin # a fresh access token for this set's runs
    authz_sanity "$samples"
    for c in $AUTHZ_CLIENTS; do
        AUTHZ_SAMPLES_FILE=$samples PAIR_TARGET=25 PAIR_CONNECTIONS=$c \
            PAIR_DURATION=$AUTHZ_DURATION PAIR_ROWS="$OUT/authz-pairs" \
            measure_pair "authz $n ind., $c clients" "$AUTHZ_PATH" \
            -H "Authorization: Bearer $ADMIN_TOKEN" -s "$ROOT/tests/bench/authz_access.lua"
        AZ[hello_${n}_$c]=$PAIR_H_RPS AZ[edge_${n}_$c]=$PAIR_E_RPS
        AZ[p50_${n}_$c]=$PAIR_E_P50 AZ[p99_${n}_$c]=$PAIR_E_P99
        AZ[hp50_${n}_$c]=$PAIR_H_P50 AZ[hp99_${n}_$c]=$PAIR_H_P99
    done
    say "authz.rpc.Check over NATS: $CHECK_SECONDS s sequential, $CHECK_SECONDS s with $CHECK_IN_FLIGHT in flight"
    line=$("$BUILD/bin/check_bench" "$TEST_NATS_URL" "$samples" "$CHECK_SECONDS" "$CHECK_SECONDS" \
        "$CHECK_IN_FLIGHT" 2>>"$OUT/check_bench.err") ||
        die "check_bench failed: ${line:-no output}: $(tail -n 3 "$OUT/check_bench.err")"
    say "$(tr '\n' ';' <<<"$line")"
    # "<mode> <checks/s> <p50> <p99> <checks> <errors> <allowed> <repeats>"
    AZ[seq_$n]=$(grep '^seq ' <<<"$line")
    AZ[async_$n]=$(grep '^async ' <<<"$line")
}

# field <n> <line>: the n-th word of line
field() { awk -v i="$1" '{ print $i }' <<<"$2"; }

# verdict <awk condition on v> <v>: "met" or "NOT met"
verdict() { awk -v v="$2" "BEGIN { print (($1) ? \"met\" : \"NOT met\") }"; }

# authz_row <figure> <target> <cells...>: one line of the authz table
authz_row() {
    local fig=$1 target=$2
    shift 2
    printf '%-34s' "$fig"
    printf ' %-26s' "$@"
    printf ' %s\n' "$target"
}

# authz_table: the authz figures of every data set, targets beside them
authz_table() {
    local n c cells first last v r
    local -a sizes=($AUTHZ_SIZES)
    first=${sizes[0]} last=${sizes[-1]}
    echo "authz checks (seed $AUTHZ_SEED, scripts/authz_dataset.sql; $AUTHZ_SAMPLES sample checks a set:" \
        "40% leader reads, 20% member writes, 20% group reads, 20% reads by other staff);"
    echo "edge: wrk -c<clients> -d$AUTHZ_DURATION, best of $ROUNDS rounds alternating with hello at the" \
        "same -c; Check RPC: check_bench, $CHECK_SECONDS s one at a time, then $CHECK_SECONDS s with" \
        "$CHECK_IN_FLIGHT in flight"
    cells=()
    for n in "${sizes[@]}"; do cells+=("$n individuals"); done
    authz_row "data set" "target" "${cells[@]}"
    cells=()
    for n in "${sizes[@]}"; do cells+=("${AZ[groups_$n]} / ${AZ[members_$n]}"); done
    authz_row "  groups / memberships" "" "${cells[@]}"
    cells=()
    for n in "${sizes[@]}"; do cells+=("${AZ[staff_$n]} users, ${AZ[gen_$n]} s"); done
    authz_row "  staff users, generated in" "" "${cells[@]}"
    for c in $AUTHZ_CLIENTS; do
        cells=()
        for n in "${sizes[@]}"; do cells+=("$(printf '%.0f' "${AZ[hello_${n}_$c]}")"); done
        authz_row "plain hello req/s, $c clients" "" "${cells[@]}"
        cells=()
        for n in "${sizes[@]}"; do
            cells+=("$(fmt_ms "${AZ[hp50_${n}_$c]}") / $(fmt_ms "${AZ[hp99_${n}_$c]}")")
        done
        authz_row "  hello p50 / p99" "" "${cells[@]}"
        cells=()
        for n in "${sizes[@]}"; do
            r=$(awk -v e="${AZ[edge_${n}_$c]}" -v h="${AZ[hello_${n}_$c]}" 'BEGIN { printf "%.1f", 100 * e / h }')
            cells+=("$(printf '%.0f (%s%%) %s' "${AZ[edge_${n}_$c]}" "$r" "$(verdict 'v >= 40' "$r")")")
        done
        authz_row "edge checks/s, $c clients" ">= 40% of hello" "${cells[@]}"
        cells=()
        for n in "${sizes[@]}"; do
            v="$(fmt_ms "${AZ[p50_${n}_$c]}") / $(fmt_ms "${AZ[p99_${n}_$c]}")"
            [ "$c" = 10 ] && v="$v $(verdict 'v < 2' "${AZ[p99_${n}_$c]}")"
            cells+=("$v")
        done
        authz_row "  p50 / p99" "$([ "$c" = 10 ] && echo 'p99 < 2 ms')" "${cells[@]}"
    done
    cells=()
    for n in "${sizes[@]}"; do
        v=$(field 3 "${AZ[seq_$n]}")
        cells+=("$(fmt_ms "$v") / $(fmt_ms "$(field 4 "${AZ[seq_$n]}")") $(verdict 'v < 0.1' "$v")")
    done
    authz_row "Check RPC sequential p50 / p99" "p50 < 0.1 ms" "${cells[@]}"
    cells=()
    for n in "${sizes[@]}"; do cells+=("$(printf '%.0f' "$(field 2 "${AZ[seq_$n]}")")"); done
    authz_row "  checks/s, one at a time" "" "${cells[@]}"
    cells=()
    for n in "${sizes[@]}"; do cells+=("$(printf '%.0f' "$(field 2 "${AZ[async_$n]}")")"); done
    authz_row "Check RPC checks/s, $CHECK_IN_FLIGHT in flight" "" "${cells[@]}"
    cells=()
    for n in "${sizes[@]}"; do
        cells+=("$(fmt_ms "$(field 3 "${AZ[async_$n]}")") / $(fmt_ms "$(field 4 "${AZ[async_$n]}")")")
    done
    authz_row "  p50 / p99" "" "${cells[@]}"
    cells=()
    for n in "${sizes[@]}"; do
        cells+=("$(awk -v s="${AZ[seq_$n]}" -v a="${AZ[async_$n]}" 'BEGIN {
            split(s, x, " "); split(a, y, " ")
            printf "%.0f%% of %d, %d repeats", 100 * (x[7] + y[7]) / (x[5] + y[5]), x[5] + y[5], x[8] + y[8] }')")
    done
    authz_row "  allowed, checks, repeats" "" "${cells[@]}"
    cells=()
    for n in "${sizes[@]}"; do cells+=("$(awk -v k="${AZ[rss_$n]}" 'BEGIN { printf "%.1f MB", k / 1024 }')"); done
    authz_row "authz resident memory (rss)" "" "${cells[@]}"
    cells=()
    for n in "${sizes[@]}"; do cells+=("${AZ[index_wait_$n]} s"); done
    authz_row "  caught up after the data set in" "" "${cells[@]}"
    [ "$first" = "$last" ] && return 0
    echo "time per check, $last over $first individuals (target < 1.5x):"
    for c in $AUTHZ_CLIENTS; do
        r=$(awk -v a="${AZ[edge_${first}_$c]}" -v b="${AZ[edge_${last}_$c]}" 'BEGIN { printf "%.2f", a / b }')
        authz_row "  edge, $c clients (1 / checks/s)" "" "${r}x $(verdict 'v < 1.5' "$r")"
    done
    r=$(awk -v a="$(field 2 "${AZ[seq_$first]}")" -v b="$(field 2 "${AZ[seq_$last]}")" 'BEGIN { printf "%.2f", a / b }')
    authz_row "  Check RPC sequential (mean)" "" "${r}x $(verdict 'v < 1.5' "$r")"
    r=$(awk -v a="$(field 3 "${AZ[seq_$first]}")" -v b="$(field 3 "${AZ[seq_$last]}")" 'BEGIN { printf "%.2f", b / a }')
    authz_row "  Check RPC sequential (p50)" "" "${r}x $(verdict 'v < 1.5' "$r")"
    r=$(awk -v a="$(field 2 "${AZ[async_$first]}")" -v b="$(field 2 "${AZ[async_$last]}")" 'BEGIN { printf "%.2f", a / b }')
    authz_row "  Check RPC, $CHECK_IN_FLIGHT in flight" "" "${r}x $(verdict 'v < 1.5' "$r")"
    r=$(awk -v a="${AZ[rss_$first]}" -v b="${AZ[rss_$last]}" -v ma="${AZ[members_$first]}" \
        -v mb="${AZ[members_$last]}" 'BEGIN { printf "%.1f", (b - a) / 1024 / ((mb - ma) / 1e6) }')
    authz_row "memory per million memberships" "printed" "$r MB (authz rss growth $first -> $last)"
}

# --- durable commits: organization creates, synchronous_commit on vs off ---

# set_sync_commit <on|off|default>: the cluster-wide setting, reloaded into
# every open connection
set_sync_commit() {
    local sql="ALTER SYSTEM SET synchronous_commit = $1"
    [ "$1" = default ] && sql="ALTER SYSTEM RESET synchronous_commit"
    psql "$TEST_PG_URL" -X -q -v ON_ERROR_STOP=1 -c "$sql" -c 'SELECT pg_reload_conf()' \
        >/dev/null 2>>"$OUT/commit.err" || die "$sql: $(tail -n 2 "$OUT/commit.err")"
    sleep 0.2 # backends take the reload between statements
}

# commit_figure: best round of each mode into COMMIT_ON / COMMIT_OFF
# ("rps p50 p99"); creates organizations as the platform admin
commit_figure() {
    local r mode f rps p50 p99 n bad sock best_on=0 best_off=0
    local CONNECTIONS=${BENCH_COMMIT_CLIENTS:-8}
    login_as_admin
    for ((r = 1; r <= ROUNDS; r++)); do
        for mode in on off; do
            set_sync_commit "$mode"
            f="$OUT/commit-$mode-$r.txt"
            say "organization creates, synchronous_commit=$mode, round $r/$ROUNDS"
            BENCH_RUN_TAG="$mode$r$RANDOM" run_wrk "$DURATION" "$f" "$TEST_EDGE_URL/v1/organizations/" \
                -H "Authorization: Bearer $ADMIN_TOKEN" -s "$ROOT/tests/bench/org_create.lua"
            check_run "organization creates ($mode)" "$f"
            read -r rps p50 p99 n bad sock < <(parse_wrk "$f")
            say "  $rps creates/s, p50 $(fmt_ms "$p50"), p99 $(fmt_ms "$p99")"
            if [ "$mode" = on ] && awk -v a="$rps" -v b="$best_on" 'BEGIN { exit !(a > b) }'; then
                best_on=$rps COMMIT_ON="$rps $p50 $p99"
            elif [ "$mode" = off ] && awk -v a="$rps" -v b="$best_off" 'BEGIN { exit !(a > b) }'; then
                best_off=$rps COMMIT_OFF="$rps $p50 $p99"
            fi
        done
    done
    set_sync_commit default # the throwaway stack goes away on failure anyway
}

# commit_table: the two modes side by side
commit_table() {
    local on off
    read -r -a on <<<"$COMMIT_ON"
    read -r -a off <<<"$COMMIT_OFF"
    echo "durable commits: POST /v1/organizations/ (one commit each), ${BENCH_COMMIT_CLIENTS:-8} clients," \
        "best of $ROUNDS alternating rounds of $DURATION"
    printf '%-34s %-9.0f %-8s %s   (the default: no acknowledged write is lost)\n' \
        "creates/s, synchronous_commit=on" "${on[0]}" "$(fmt_ms "${on[1]}")" "$(fmt_ms "${on[2]}")"
    printf '%-34s %-9.0f %-8s %s   (loses the last commits on a crash)\n' \
        "creates/s, synchronous_commit=off" "${off[0]}" "$(fmt_ms "${off[1]}")" "$(fmt_ms "${off[2]}")"
    printf '%-34s %s\n' "  cost of durability" \
        "$(awk -v a="${on[0]}" -v b="${off[0]}" -v pa="${on[1]}" -v pb="${off[1]}" \
            'BEGIN { printf "%.0f%% fewer creates/s, %+.2f ms at p50", 100 * (1 - a / b), pa - pb }')"
}

# edge_default_loops: the loop count the edge picks when EDGE_THREADS is unset
# (libcommon/cm_config.c): half the online cores, 1 below 4 cores
edge_default_loops() {
    local cores
    cores=$(nproc)
    if [ "$cores" -ge 4 ]; then echo $((cores / 2 > 64 ? 64 : cores / 2)); else echo 1; fi
}

inner() {
    local logs argon login refresh users_path n
    check_settings
    if [ -z "${TEST_EDGE_URL:-}" ] || [ -z "${TEST_API_USER:-}" ] || [ -z "${TEST_API_KEY:-}" ] ||
        [ -z "${TEST_VAR_DIR:-}" ]; then
        die "--inner runs under scripts/with-test-stack.sh only"
    fi
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    rm -rf "$OUT"
    mkdir -p "$OUT" || die "cannot create $OUT"
    WORK=$(mktemp -d) || die "mktemp failed"
    AUTH_HEADER="Authorization: Basic $(printf '%s:%s' "$TEST_API_USER" "$TEST_API_KEY" | base64 -w0)"
    export HELLO_THREADS=${HELLO_THREADS:-${EDGE_THREADS:-$(edge_default_loops)}}

    check_edge
    start_hello
    say "hello_server pid $HELLO_PID at $HELLO_URL ($HELLO_THREADS loops); edge at $TEST_EDGE_URL"
    say "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, $(nproc) CPUs"

    if [ "${BENCH_UTIL:-1}" = 1 ]; then
        PAIR_TARGET=40 measure_pair "edge GET util/test (API key)" "$API_PATH" -H "$AUTH_HEADER"
    fi

    login_as_admin
    users_path="/v1/users/$ADMIN_ID/"
    PAIR_TARGET=30 measure_pair "edge GET /v1/users/{id} (token)" "$users_path" \
        -H "Authorization: Bearer $ADMIN_TOKEN"

    if [ "${BENCH_AUTH:-1}" = 1 ]; then
        say "argon2id: $AUTH_SECONDS s on $(nproc) threads at opslimit $PWHASH_OPSLIMIT, ${PWHASH_MEMLIMIT_KIB} KiB"
        auth_figure argon argon2 "$(nproc)" "$AUTH_SECONDS" "$PWHASH_OPSLIMIT" "$PWHASH_MEMLIMIT_KIB"
        say "logins: $AUTH_SECONDS s, $AUTH_CLIENTS clients"
        auth_figure login login "$AUTH_CLIENTS" "$AUTH_SECONDS" "$TEST_EDGE_URL" "$TEST_ADMIN_EMAIL" \
            "$TEST_ADMIN_PASSWORD"
        reads_under_logins "$users_path" -H "Authorization: Bearer $ADMIN_TOKEN"
        say "refreshes: $AUTH_SECONDS s, $REFRESH_CLIENTS clients"
        auth_figure refresh refresh "$REFRESH_CLIENTS" "$AUTH_SECONDS" "$TEST_EDGE_URL" \
            "$TEST_ADMIN_EMAIL" "$TEST_ADMIN_PASSWORD"
    fi

    if [ "${BENCH_COMMIT:-1}" = 1 ]; then
        commit_figure
    fi

    if [ "${BENCH_CLINICAL:-1}" = 1 ]; then # clinical API: scripts/bench_clinical.sh
        clinical_figures
    fi

    if [ "${BENCH_BIGBODY:-1}" = 1 ]; then # large bodies: scripts/bench_bigbody.sh
        "$ROOT/scripts/bench_bigbody.sh" >"$OUT/bigbody.txt" || die "large-body figures failed"
    fi

    if [ "$AUTHZ" = 1 ]; then
        wait_populated
        for n in $AUTHZ_SIZES; do
            authz_set "$n"
        done
    fi

    echo
    printf '%-34s %-9s %-8s %s\n' bench req/s p50 p99
    cat "$OUT/rows"
    [ "${BENCH_AUTH:-1}" = 1 ] && printf '%s\n%s\n%s\n' "$argon" "$login" "$refresh" | awk '
        { rate[$1] = $2; p50[$1] = $3; p99[$1] = $4 }
        END {
            printf "%-34s %-9.1f %-8s %s\n", "raw argon2id hashes", rate["argon2"], sprintf("%.2fms", p50["argon2"]), sprintf("%.2fms", p99["argon2"])
            printf "%-34s %-9.1f %-8s %s\n", "logins through the edge", rate["login"], sprintf("%.2fms", p50["login"]), sprintf("%.2fms", p99["login"])
            printf "%-34s %-9s (target >= 80%%)\n", "  logins/argon2id", sprintf("%.0f%%", 100 * rate["login"] / rate["argon2"])
            printf "%-34s %-9.0f %-8s %s   (target >= 1000/s)\n", "refreshes through the edge", rate["refresh"], sprintf("%.2fms", p50["refresh"]), sprintf("%.2fms", p99["refresh"])
        }'
    if [ "${BENCH_COMMIT:-1}" = 1 ]; then
        echo
        commit_table
    fi
    if [ "$AUTHZ" = 1 ]; then
        echo
        authz_table
    fi
    if [ -s "$OUT/bigbody.txt" ]; then
        echo
        cat "$OUT/bigbody.txt"
    fi
    echo
    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, best of $ROUNDS alternating rounds;" \
        "$(nproc) CPUs shared by the load generators and the servers; hello_server $HELLO_THREADS loops," \
        "EDGE_THREADS ${EDGE_THREADS:-default}, HANDLER_THREADS ${HANDLER_THREADS:-default};" \
        "argon2id opslimit $PWHASH_OPSLIMIT, memlimit ${PWHASH_MEMLIMIT_KIB} KiB (the defaults);" \
        "logins with $AUTH_CLIENTS clients, refreshes with $REFRESH_CLIENTS, $AUTH_SECONDS s each"
    [ -s "$OUT/cpu.txt" ] && cat "$OUT/cpu.txt"
    logs=$(log_summary)
    if [ -n "$logs" ]; then
        echo "warnings/errors in the stack logs (copies in $OUT/logs/):"
        printf '%s\n' "$logs"
    else
        echo "no warnings or errors in the stack logs"
    fi
    echo "raw wrk/pidstat output: $OUT/"
    return 0
}

case ${1:-} in
--inner) inner ;;
"") outer ;;
*)
    echo "usage: scripts/bench.sh   (see the header for the BENCH_* settings)" >&2
    exit 2
    ;;
esac
