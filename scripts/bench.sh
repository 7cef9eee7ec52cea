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
#     (target >= 80% of the raw rate), and refresh-token rotations/s (>= 1000).
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
#   HELLO_THREADS (EDGE_THREADS, else 2)  loop threads of hello_server
#   BENCH_AUTH_SECONDS (10) BENCH_LOGIN_CLIENTS (4) BENCH_REFRESH_CLIENTS (8)
#   PWHASH_OPSLIMIT (2) PWHASH_MEMLIMIT_KIB (65536)   argon2id cost, as deployed
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
AUTH_CLIENTS=${BENCH_LOGIN_CLIENTS:-4}
REFRESH_CLIENTS=${BENCH_REFRESH_CLIENTS:-8}
API_PATH=/api/2015-02-01/util/test/1
OUT="$BUILD/bench"

say() { printf 'bench: %s\n' "$*" >&2; }
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
    for v in CONNECTIONS THREADS ROUNDS; do
        [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_$v must be a number >= 1, got '${!v}'"
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
    exec "$ROOT/scripts/with-test-stack.sh" "$ROOT/scripts/bench.sh" --inner
}

# --- inner phase: runs inside with-test-stack.sh ----------------------------

HELLO_PID=
PIDSTAT_PID=
WORK=

cleanup() {
    local i
    trap - EXIT INT TERM
    if [ -n "$PIDSTAT_PID" ]; then
        kill "$PIDSTAT_PID" 2>/dev/null
        wait "$PIDSTAT_PID" 2>/dev/null
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
    if ! wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$d" "$@" "$url" >"$f" 2>&1; then
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

# cpu_start <file>: samples per-process CPU every second for one measured run
cpu_start() {
    local secs
    PIDSTAT_PID=
    [ "$BENCH_CPU" = 1 ] && command -v pidstat >/dev/null 2>&1 || return 0
    secs=$(seconds_of "$DURATION")
    [ "$secs" -ge 3 ] || return 0
    LC_ALL=C pidstat -u 1 $((secs - 1)) >"$1" 2>&1 &
    PIDSTAT_PID=$!
}

cpu_stop() {
    [ -n "$PIDSTAT_PID" ] || return 0
    wait "$PIDSTAT_PID" 2>/dev/null
    PIDSTAT_PID=
}

# cpu_summary <file>: "%CPU command" of each process above 1% of one core,
# from pidstat's Average lines, busiest first
cpu_summary() {
    [ -s "$1" ] || return 0
    awk '
    /^Average:/ && $0 ~ /%CPU/ { for (i = 1; i <= NF; i++) { if ($i == "%CPU") c = i; if ($i == "Command") k = i } next }
    /^Average:/ && c && $c + 0 >= 1 { cpu[$k] += $c }
    END { for (p in cpu) printf "%7.1f%%  %s\n", cpu[p], p }
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

# measure_pair <label> <path> [wrk args...]: hello and the edge on path,
# alternating, best round of each; appends a table row to $OUT/rows and the
# CPU split to $OUT/cpu.txt
measure_pair() {
    local label=$1 path=$2 r rps p50 p99 n bad sock best_h=0 best_e=0 slug
    local h_rps h_p50 h_p99 e_rps e_p50 e_p99 h_cpu='' e_cpu=''
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
        cpu_stop
        check_run "hello round $r" "$OUT/hello-$slug-$r.txt"
        read -r rps p50 p99 n bad sock < <(parse_wrk "$OUT/hello-$slug-$r.txt")
        say "  $rps req/s, p50 $(fmt_ms "$p50"), p99 $(fmt_ms "$p99")"
        if awk -v a="$rps" -v b="$best_h" 'BEGIN { exit !(a > b) }'; then
            best_h=$rps h_rps=$rps h_p50=$p50 h_p99=$p99 h_cpu="$OUT/cpu-hello-$slug-$r.txt"
        fi
        say "$label round $r/$ROUNDS: edge"
        cpu_start "$OUT/cpu-edge-$slug-$r.txt"
        run_wrk "$DURATION" "$OUT/edge-$slug-$r.txt" "$TEST_EDGE_URL$path" "$@"
        cpu_stop
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
        printf '%-34s %-9s (target >= %s%%)\n' "  ratio to plain" \
            "$(awk -v e="$e_rps" -v h="$h_rps" 'BEGIN { printf "%.0f%%", 100 * e / h }')" "$PAIR_TARGET"
    } >>"$OUT/rows"
    if [ -n "$h_cpu" ] && [ -s "$h_cpu" ]; then
        {
            echo " $label vs hello, CPU (% of one core, pidstat average, >= 1%):"
            echo "  hello:"
            cpu_summary "$h_cpu" | sed 's/^/   /'
            echo "  edge:"
            cpu_summary "$e_cpu" | sed 's/^/   /'
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

inner() {
    local logs argon login refresh users_path
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
    export HELLO_THREADS=${HELLO_THREADS:-${EDGE_THREADS:-2}}

    check_edge
    start_hello
    say "hello_server pid $HELLO_PID at $HELLO_URL ($HELLO_THREADS loops); edge at $TEST_EDGE_URL"
    say "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, $(nproc) CPUs"

    PAIR_TARGET=40 measure_pair "edge GET util/test (API key)" "$API_PATH" -H "$AUTH_HEADER"

    login_as_admin
    users_path="/v1/users/$ADMIN_ID/"
    PAIR_TARGET=30 measure_pair "edge GET /v1/users/{id} (token)" "$users_path" \
        -H "Authorization: Bearer $ADMIN_TOKEN"

    say "argon2id: $AUTH_SECONDS s on $(nproc) threads at opslimit $PWHASH_OPSLIMIT, ${PWHASH_MEMLIMIT_KIB} KiB"
    auth_figure argon argon2 "$(nproc)" "$AUTH_SECONDS" "$PWHASH_OPSLIMIT" "$PWHASH_MEMLIMIT_KIB"
    say "logins: $AUTH_SECONDS s, $AUTH_CLIENTS clients"
    auth_figure login login "$AUTH_CLIENTS" "$AUTH_SECONDS" "$TEST_EDGE_URL" "$TEST_ADMIN_EMAIL" \
        "$TEST_ADMIN_PASSWORD"
    say "refreshes: $AUTH_SECONDS s, $REFRESH_CLIENTS clients"
    auth_figure refresh refresh "$REFRESH_CLIENTS" "$AUTH_SECONDS" "$TEST_EDGE_URL" \
        "$TEST_ADMIN_EMAIL" "$TEST_ADMIN_PASSWORD"

    echo
    printf '%-34s %-9s %-8s %s\n' bench req/s p50 p99
    cat "$OUT/rows"
    printf '%s\n%s\n%s\n' "$argon" "$login" "$refresh" | awk '
        { rate[$1] = $2; p50[$1] = $3; p99[$1] = $4 }
        END {
            printf "%-34s %-9.1f %-8s %s\n", "raw argon2id hashes", rate["argon2"], sprintf("%.2fms", p50["argon2"]), sprintf("%.2fms", p99["argon2"])
            printf "%-34s %-9.1f %-8s %s\n", "logins through the edge", rate["login"], sprintf("%.2fms", p50["login"]), sprintf("%.2fms", p99["login"])
            printf "%-34s %-9s (target >= 80%%)\n", "  logins/argon2id", sprintf("%.0f%%", 100 * rate["login"] / rate["argon2"])
            printf "%-34s %-9.0f %-8s %s   (target >= 1000/s)\n", "refreshes through the edge", rate["refresh"], sprintf("%.2fms", p50["refresh"]), sprintf("%.2fms", p99["refresh"])
        }'
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
