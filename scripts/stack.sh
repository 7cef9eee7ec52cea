#!/usr/bin/env bash
# stack.sh: starts and controls a private copy of the whole suite on this
# machine, without containers: a Postgres cluster, a nats-server with
# JetStream, the five services and the edge. Everything it creates lives under
# VAR_DIR (default <repo>/var): data, logs, pid files, secrets and the settings
# in effect (VAR_DIR/stack.env), so later commands find the running stack with
# nothing but VAR_DIR. `scripts/stack.sh help` lists the commands.
#
# Layout of VAR_DIR:
#   stack.env        every setting in effect (ports, paths, passwords); mode 600
#   bootstrap.env    BOOTSTRAP_API_USER, BOOTSTRAP_API_KEY, BASE_URL; mode 600
#   secrets/         generated passwords and the bootstrap credential; mode 700
#   pg/              the Postgres cluster: data/, sock/ (unix socket), postgres.log
#                    (a symlink to a folder under /tmp when the postgres user
#                    cannot reach VAR_DIR, see pg_prepare_dir)
#   nats/            JetStream store
#   log/<name>.log   stdout+stderr of each daemon, nats.log, postgres.log
#   run/<name>.pid   pid of each daemon and of nats-server
# <name> is the service name, or <svc>-<N> for instance N >= 2.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# values this script derives or keeps in stack.env; never taken from the caller
unset PG_DIR PG_ADMIN_USER PG_ADMIN_PASSWORD NATS_URL BASE_URL \
    PG_PASSWORD_IDENTITY PG_PASSWORD_AUTHZ PG_PASSWORD_MESSAGING PG_PASSWORD_ONBOARDING PG_PASSWORD_PRIVACY
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
NATS_SERVER=${NATS_SERVER:-nats-server}
CORES=$(nproc 2>/dev/null || echo 2)
NATS_GOMAXPROCS=${NATS_GOMAXPROCS:-$((CORES > 1 ? CORES / 2 : 1))}

DAEMONS=(identity authz messaging onboarding privacy edge) # start order
# Settings a caller may give in the environment; saved in stack.env.
SETTINGS=(BUILD EDGE_HOST EDGE_PORT NATS_PORT PG_PORT ADMIN_HOST ADMIN_PORT_BASE PG_DATABASE
    BOOTSTRAP_API_USER BOOTSTRAP_API_KEY BOOTSTRAP_ADMIN_EMAIL BOOTSTRAP_ADMIN_PASSWORD
    STACK_READY_TIMEOUT_S STACK_STOP_TIMEOUT_S)
# Daemon settings passed through only when set.
PASS_VARS=(REQUEST_TIMEOUT_MS NATS_SEND_ASAP HANDLER_THREADS EDGE_THREADS LOG_LEVEL MAX_BODY_BYTES MAX_HEADER_BYTES
    AUTH_CACHE_TTL_MS AUTH_CACHE_SIZE RPC_TIMEOUT_MS PG_CONNECT_TIMEOUT_S
    PWHASH_OPSLIMIT PWHASH_MEMLIMIT_KIB ACCESS_TOKEN_TTL_S REFRESH_TOKEN_TTL_S SIGNING_KEY_SEED
    LOGIN_THROTTLE_AFTER LOGIN_LOCK_AFTER LOGIN_LOCK_S CODE_TTL_S TOKEN_CACHE_SIZE
    PROJECTION_APPLY_DELAY_MS SIGN_UP_SWEEP_AFTER_S SIGN_UP_UNDO_AFTER_S SIGN_UP_ADDR_LIMIT
    ONBOARDING_TEST_DROP_CREATE_REPLY PWHASH_THREADS PWHASH_QUEUE PWHASH_NICE LOGIN_ADDR_LOCK_AFTER
    LOGIN_USER_THROTTLE_AFTER TRUSTED_PROXIES TOTP_KEYS PHI_KEYS
    MAIL_FROM SMTP_URL SMTP_USER SMTP_PASSWORD SMTP_STARTTLS SMTP_CA_FILE SMS_URL SMS_TOKEN
    DELIVERY_RETRIES DELIVERY_BACKOFF_MS SHORT_LINK_BASE
    INTERNAL_AUTH_JWKS INTERNAL_AUTH_JWKS_FILE INTERNAL_AUTH_AUDIENCE INTERNAL_AUTH_ISSUER
    INTERNAL_AUTH_TOKEN_TTL_S
    NATS_TLS_CA_FILE NATS_TLS_CERT_FILE NATS_TLS_KEY_FILE NATS_NKEY_SEED_FILE NATS_CREDS_FILE EVENTS_REPLICAS)

say() { printf 'stack: %s\n' "$*" >&2; }
DIE_HINT=""
die() {
    printf 'stack: error: %s\n' "$*" >&2
    [ -z "$DIE_HINT" ] || printf 'stack: %s\n' "$DIE_HINT" >&2
    exit 1
}

usage() {
    cat <<EOF
usage: scripts/stack.sh <command> [args]

  up                      start postgres, nats and every daemon; wait for /readyz;
                          print the base URL and the bootstrap API credential
  infra-up                start only postgres (database ${PG_DATABASE:-health}) and nats-server
  down                    stop every daemon, nats-server and postgres (idempotent)
  start <svc> [N]         start one daemon (instance N >= 2: an extra copy), wait for /readyz
  stop <svc> [N]          stop one daemon
  restart <svc> [N]       stop, then start
  start-nats | stop-nats | restart-nats
                          control nats-server (same port and JetStream store)
  kill9 <svc> [N]         SIGKILL one daemon (no drain; start brings it back)
  kill9-nats              SIGKILL nats-server (start-nats brings it back)
  start-pg | stop-pg [fast|immediate] | restart-pg [fast|immediate]
                          control postgres (same port and data); stop-pg's
                          mode is pg_ctl's (default fast, immediate after 30 s)
  status                  one line per component; exit 1 unless all are up
  admin-port <svc> [N]    print the admin port of a daemon instance
  pg-url                  print a libpq URL for the admin role to the database
  psql [args]             run psql as the admin role on the database
  env                     print VAR_DIR/stack.env (contains passwords)
  clean                   down, then delete VAR_DIR (data, logs, secrets)

services: edge identity authz messaging onboarding privacy
environment (defaults): VAR_DIR (<repo>/var) BUILD (build) EDGE_PORT (8080) NATS_PORT (4222)
  PG_PORT (55432) ADMIN_PORT_BASE (9100) EDGE_HOST (127.0.0.1) ADMIN_HOST (127.0.0.1)
  PG_DATABASE (health) BOOTSTRAP_API_USER BOOTSTRAP_API_KEY BOOTSTRAP_ADMIN_EMAIL
  BOOTSTRAP_ADMIN_PASSWORD (random once, then kept)
  STACK_READY_TIMEOUT_S (60) STACK_STOP_TIMEOUT_S (10)
  NATS_GOMAXPROCS (half the cores, at least 1) threads of nats-server
  NATS_EXTERNAL_URL (none) an outside NATS for the daemons this call starts; no nats-server then
  passed to the daemons when set: ${PASS_VARS[*]}
After 'up', the other commands read VAR_DIR/stack.env, so only VAR_DIR is needed.
EOF
}

# --- small helpers -----------------------------------------------------------

is_root() { [ "$(id -u)" -eq 0 ]; }

# rand_hex <bytes>: prints 2*bytes random hex digits
rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
gen_api_user() { printf 'api-%s' "$(rand_hex 6)"; }
gen_admin_email() { printf 'admin-%s@example.org' "$(rand_hex 4)"; }
gen_admin_password() { printf 'Adm-%s-%s' "$(rand_hex 8)" "$(rand_hex 8)"; }

abspath() {
    case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
    esac
}

now() { date +%s; }

# proc_alive <pid> <exe-basename>: true when <pid> runs a program named
# <exe-basename> (checked on argv[0], so a recycled pid or a zombie is not
# mistaken for ours)
proc_alive() {
    local pid=$1 want=$2 argv0
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1) || return 1
    [ "${argv0##*/}" = "$want" ]
}

pid_of() { # pid_of <name>: pid from run/<name>.pid, or nothing
    local f="$VAR_DIR/run/$1.pid"
    if [ -f "$f" ]; then head -n 1 "$f"; fi
}

exe_of() { # exe_of <name>: program name expected for a run/<name>.pid
    case $1 in
    nats) echo "${NATS_SERVER##*/}" ;;
    *) svc_of "$1" ;;
    esac
}

name_alive() { proc_alive "$(pid_of "$1")" "$(exe_of "$1")"; }

# just_started_alive <name>: like name_alive, for a process this script has
# just forked: between fork and exec its argv0 is still bash, which is not
# "exited" (seen as a false "exited" under load)
just_started_alive() {
    local pid state
    pid=$(pid_of "$1")
    name_alive "$1" && return 0
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# port_in_use <port>: true when something listens on 127.0.0.1/any:<port>
port_in_use() {
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

http_code() { # http_code <url>: prints the status code, 000 when unreachable
    curl -s -o /dev/null -w '%{http_code}' --connect-timeout 1 --max-time 2 "$1" 2>/dev/null || true
}

# show_log <file> [lines]: the last lines of a log, from the last start only
show_log() {
    local f=$1 n=${2:-40}
    if [ -e "$f" ]; then
        printf -- '----- %s (last run, at most %s lines) -----\n' "$f" "$n" >&2
        awk '/"service":"stack","msg":"starting /{delete l; c=0} {l[c++]=$0} END{for(i=(c>'"$n"'?c-'"$n"':0);i<c;i++)print l[i]}' \
            "$f" >&2 || true
        printf -- '-----\n' >&2
    else
        say "no log file $f"
    fi
}

# --- services and instances --------------------------------------------------

svc_offset() {
    case $1 in
    edge) echo 0 ;; identity) echo 1 ;; authz) echo 2 ;;
    messaging) echo 3 ;; onboarding) echo 4 ;; privacy) echo 5 ;;
    *) return 1 ;;
    esac
}

check_svc() {
    svc_offset "$1" >/dev/null || die "unknown service '$1' (edge identity authz messaging onboarding privacy)"
}

check_inst() {
    [[ $1 =~ ^[1-9][0-9]*$ ]] || die "instance must be a number >= 1, got '$1'"
}

inst_name() { # inst_name <svc> <N>
    if [ "$2" -eq 1 ]; then echo "$1"; else echo "$1-$2"; fi
}

svc_of() { # svc_of <name>: authz-2 -> authz
    if [[ $1 =~ ^(.*)-[0-9]+$ ]]; then echo "${BASH_REMATCH[1]}"; else echo "$1"; fi
}

inst_of() { # inst_of <name>: authz-2 -> 2, authz -> 1
    if [[ $1 =~ -([0-9]+)$ ]]; then echo "${BASH_REMATCH[1]}"; else echo 1; fi
}

admin_port() { # admin_port <svc> <N>
    echo $((ADMIN_PORT_BASE + $(svc_offset "$1") + 20 * ($2 - 1)))
}

svc_password_var() { # the stack.env variable holding <svc>'s Postgres password
    echo "PG_PASSWORD_$(echo "$1" | tr '[:lower:]' '[:upper:]')"
}

# --- settings ----------------------------------------------------------------

VAR_DIR=$(abspath "${VAR_DIR:-$ROOT/var}")
case $VAR_DIR in
/ | "") die "refusing VAR_DIR=$VAR_DIR" ;;
esac
STACK_ENV="$VAR_DIR/stack.env"

# load_settings <env-wins>: reads stack.env if present. With env-wins=1 ('up',
# 'infra-up'), variables set in the caller's environment override the file;
# otherwise the file (the running stack) wins, except for the timeouts, BUILD
# and the daemon settings in PASS_VARS, which the caller may always change
# (e.g. 'start authz 2', or BUILD=other restart identity to try another
# binary). Then fills in defaults.
load_settings() {
    local env_wins=$1 v
    local -a vars=(STACK_READY_TIMEOUT_S STACK_STOP_TIMEOUT_S BUILD "${PASS_VARS[@]}")
    declare -A snap=()
    [ "$env_wins" = 1 ] && vars+=("${SETTINGS[@]}")
    for v in "${vars[@]}"; do
        if [ -n "${!v+x}" ]; then snap[$v]=${!v}; fi
    done
    if [ -f "$STACK_ENV" ]; then
        local here=$VAR_DIR
        # shellcheck disable=SC1090
        . "$STACK_ENV"
        VAR_DIR=$here # the folder may have moved since
    fi
    for v in "${!snap[@]}"; do printf -v "$v" '%s' "${snap[$v]}"; done

    BUILD=${BUILD:-build}
    case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
    EDGE_HOST=${EDGE_HOST:-127.0.0.1}
    EDGE_PORT=${EDGE_PORT:-8080}
    NATS_PORT=${NATS_PORT:-4222}
    PG_PORT=${PG_PORT:-55432}
    ADMIN_HOST=${ADMIN_HOST:-127.0.0.1}
    ADMIN_PORT_BASE=${ADMIN_PORT_BASE:-9100}
    PG_DATABASE=${PG_DATABASE:-health}
    PG_ADMIN_USER=postgres
    STACK_READY_TIMEOUT_S=${STACK_READY_TIMEOUT_S:-60}
    STACK_STOP_TIMEOUT_S=${STACK_STOP_TIMEOUT_S:-10}
    if [ -L "$VAR_DIR/pg" ]; then PG_DIR=$(readlink "$VAR_DIR/pg"); else PG_DIR="$VAR_DIR/pg"; fi
    for v in EDGE_PORT NATS_PORT PG_PORT ADMIN_PORT_BASE STACK_READY_TIMEOUT_S STACK_STOP_TIMEOUT_S; do
        [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, got '${!v}'"
    done
    NATS_URL="nats://127.0.0.1:$NATS_PORT"
    # an outside NATS (a cluster, often with TLS and NKeys: pass NATS_TLS_*,
    # NATS_NKEY_SEED_FILE or NATS_CREDS_FILE too): daemons started by this
    # call use it; this script then neither starts nor stops a nats-server
    if [ -n "${NATS_EXTERNAL_URL:-}" ]; then NATS_URL=$NATS_EXTERNAL_URL; fi
    BASE_URL="http://127.0.0.1:$EDGE_PORT"
    [ "$EDGE_HOST" = 127.0.0.1 ] || [ "$EDGE_HOST" = 0.0.0.0 ] || BASE_URL="http://$EDGE_HOST:$EDGE_PORT"
}

require_stack() {
    [ -f "$STACK_ENV" ] || die "no stack in $VAR_DIR (no stack.env): run 'scripts/stack.sh up' first, or set VAR_DIR"
}

# secret <file> <generator...>: prints the secret kept in secrets/<file>,
# creating it with the generator's output the first time
secret() {
    local f="$VAR_DIR/secrets/$1"
    shift
    if [ ! -s "$f" ]; then
        (umask 077 && "$@" >"$f.tmp" && mv "$f.tmp" "$f")
    fi
    cat "$f"
}

set_secret() { # set_secret <file> <value>
    (umask 077 && printf '%s' "$2" >"$VAR_DIR/secrets/$1.tmp" && mv "$VAR_DIR/secrets/$1.tmp" "$VAR_DIR/secrets/$1")
}

# make_secrets: admin and per-service Postgres passwords, bootstrap credential
make_secrets() {
    local s var
    mkdir -p "$VAR_DIR/secrets"
    chmod 700 "$VAR_DIR/secrets"
    PG_ADMIN_PASSWORD=$(secret pg_admin_password rand_hex 18)
    for s in "${DAEMONS[@]}"; do
        [ "$s" = edge ] && continue
        var=$(svc_password_var "$s")
        printf -v "$var" '%s' "$(secret "pg_password.$s" rand_hex 18)"
    done
    # the bootstrap credential: from the environment when set, else as kept
    if [ -n "${BOOTSTRAP_API_USER:-}" ]; then set_secret bootstrap_api_user "$BOOTSTRAP_API_USER"; fi
    if [ -n "${BOOTSTRAP_API_KEY:-}" ]; then set_secret bootstrap_api_key "$BOOTSTRAP_API_KEY"; fi
    BOOTSTRAP_API_USER=$(secret bootstrap_api_user gen_api_user)
    BOOTSTRAP_API_KEY=$(secret bootstrap_api_key rand_hex 24)
    # the platform admin: likewise
    if [ -n "${BOOTSTRAP_ADMIN_EMAIL:-}" ]; then set_secret bootstrap_admin_email "$BOOTSTRAP_ADMIN_EMAIL"; fi
    if [ -n "${BOOTSTRAP_ADMIN_PASSWORD:-}" ]; then set_secret bootstrap_admin_password "$BOOTSTRAP_ADMIN_PASSWORD"; fi
    BOOTSTRAP_ADMIN_EMAIL=$(secret bootstrap_admin_email gen_admin_email)
    BOOTSTRAP_ADMIN_PASSWORD=$(secret bootstrap_admin_password gen_admin_password)
}

write_stack_env() {
    local v s
    {
        echo "# written by scripts/stack.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); read by its other commands"
        for v in VAR_DIR PG_DIR "${SETTINGS[@]}" PG_ADMIN_USER PG_ADMIN_PASSWORD NATS_URL BASE_URL; do
            printf '%s=%q\n' "$v" "${!v}"
        done
        for s in "${DAEMONS[@]}"; do
            [ "$s" = edge ] && continue
            v=$(svc_password_var "$s")
            printf '%s=%q\n' "$v" "${!v}"
        done
        for v in "${PASS_VARS[@]}"; do
            if [ -n "${!v+x}" ]; then printf '%s=%q\n' "$v" "${!v}"; fi
        done
    } >"$STACK_ENV.tmp"
    chmod 600 "$STACK_ENV.tmp"
    mv "$STACK_ENV.tmp" "$STACK_ENV"
}

# --- postgres ----------------------------------------------------------------

# as_pg <cmd...>: runs a command as the cluster owner (the postgres user when
# we are root, since initdb and postgres refuse to run as root)
as_pg() {
    if is_root; then
        (cd "$PG_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$PG_DIR" && "$@")
    fi
}

# pg_prepare_dir: settles PG_DIR, the folder holding the cluster, and makes it
# owned by the cluster owner. Normally PG_DIR is VAR_DIR/pg. When we are root
# and the postgres user cannot reach VAR_DIR (a parent folder without o+x, as
# /root is), permissions are left alone: the cluster goes in a private folder
# /tmp/health-pg.XXXXXX and VAR_DIR/pg becomes a symlink to it. 'clean' deletes
# both.
pg_prepare_dir() {
    [ -x "$PG_BIN/initdb" ] || die "no Postgres 15 in $PG_BIN: run scripts/deps.sh"
    if [ -L "$VAR_DIR/pg" ]; then
        PG_DIR=$(readlink "$VAR_DIR/pg")
        if [ ! -d "$PG_DIR" ]; then # e.g. /tmp was emptied by a reboot
            rm -f "$VAR_DIR/pg"
            PG_DIR="$VAR_DIR/pg"
        fi
    else
        PG_DIR="$VAR_DIR/pg"
    fi
    if is_root; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' user: install postgresql-15 (scripts/deps.sh)"
        if [ "$PG_DIR" = "$VAR_DIR/pg" ] && ! runuser -u postgres -- test -x "$VAR_DIR" 2>/dev/null; then
            PG_DIR=$(mktemp -d /tmp/health-pg.XXXXXX)
            ln -sfn "$PG_DIR" "$VAR_DIR/pg"
            say "the postgres user cannot reach $VAR_DIR; cluster in $PG_DIR (symlinked from $VAR_DIR/pg)"
        fi
        mkdir -p "$PG_DIR"
        chown postgres:postgres "$PG_DIR"
    else
        mkdir -p "$PG_DIR"
    fi
    chmod 700 "$PG_DIR"
    ln -sfn "$PG_DIR/postgres.log" "$VAR_DIR/log/postgres.log"
}

pg_running() { as_pg "$PG_BIN/pg_ctl" status -D "$PG_DIR/data" >/dev/null 2>&1; }

pg_pid() { if [ -f "$PG_DIR/data/postmaster.pid" ]; then head -n 1 "$PG_DIR/data/postmaster.pid"; fi; }

pg_initdb() {
    local sock="$PG_DIR/sock" sockconf pwfile="$PG_DIR/.pwfile"
    [ -f "$PG_DIR/data/PG_VERSION" ] && return 0
    say "creating Postgres cluster in $PG_DIR/data"
    (umask 077 && printf '%s\n' "$PG_ADMIN_PASSWORD" >"$pwfile")
    is_root && chown postgres:postgres "$pwfile"
    if ! as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_ADMIN_USER" --pwfile="$pwfile" \
        -E UTF8 --no-locale --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
        >"$PG_DIR/initdb.log" 2>&1; then
        rm -f "$pwfile"
        show_log "$PG_DIR/initdb.log"
        die "initdb failed"
    fi
    rm -f "$pwfile"
    # a unix socket path is limited to 107 bytes; without room, TCP only
    mkdir -p "$sock"
    is_root && chown postgres:postgres "$sock"
    if [ $((${#sock} + 15)) -le 107 ]; then sockconf="'$sock'"; else sockconf="''"; fi
    cat >>"$PG_DIR/data/postgresql.conf" <<EOF

# --- added by scripts/stack.sh: a private development/test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = $sockconf
max_connections = 300
password_encryption = scram-sha-256
# durable: an acknowledged write survives a crash or an immediate shutdown
# (make bench prints what synchronous_commit costs beside it turned off)
fsync = on
synchronous_commit = on
full_page_writes = on
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
EOF
    cat >"$PG_DIR/data/pg_hba.conf" <<EOF
# written by scripts/stack.sh: passwords (scram-sha-256) on the socket and loopback only
local   all   all                  scram-sha-256
host    all   all   127.0.0.1/32   scram-sha-256
EOF
    is_root && chown postgres:postgres "$PG_DIR/data/pg_hba.conf"
    return 0
}

# pg_durable_conf: a cluster made by an older stack.sh ran with fsync,
# synchronous_commit and full_page_writes off; turn them on before a start
pg_durable_conf() {
    local conf="$PG_DIR/data/postgresql.conf"
    [ -f "$conf" ] && grep -qE '^(fsync|synchronous_commit|full_page_writes) = off' "$conf" || return 0
    say "turning fsync, synchronous_commit and full_page_writes on in $conf"
    as_pg sed -i -E 's/^(fsync|synchronous_commit|full_page_writes) = off.*/\1 = on/' "$conf"
}

pg_start() {
    if pg_running; then
        say "postgres already running (pid $(pg_pid))"
        return 0
    fi
    port_in_use "$PG_PORT" && die "port $PG_PORT is in use: set PG_PORT to a free port"
    pg_durable_conf
    say "starting postgres on 127.0.0.1:$PG_PORT"
    if ! as_pg "$PG_BIN/pg_ctl" start -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" \
        -o "-p $PG_PORT" -w -t 60 >/dev/null 2>&1; then
        show_log "$PG_DIR/postgres.log"
        die "postgres did not start"
    fi
}

pg_psql() { # pg_psql <database> <psql args...>: as the admin role over TCP
    local db=$1
    shift
    PGPASSWORD="$PG_ADMIN_PASSWORD" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ADMIN_USER" -d "$db" "$@"
}

pg_create_db() {
    local have
    have=$(pg_psql postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'") ||
        die "cannot connect to postgres on 127.0.0.1:$PG_PORT as $PG_ADMIN_USER"
    if [ "$have" != 1 ]; then
        say "creating database $PG_DATABASE"
        pg_psql postgres -c "CREATE DATABASE \"$PG_DATABASE\"" >/dev/null
    fi
}

pg_stop() {
    [ -d "$PG_DIR/data" ] || return 0
    if [ "${1:-fast}" = immediate ] && pg_running; then
        say "stopping postgres (immediate)"
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m immediate -w -t 10 >/dev/null 2>&1 || true
    fi
    if pg_running; then
        say "stopping postgres"
        if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m fast -w -t 30 >/dev/null 2>&1; then
            say "postgres did not stop in 30 s; immediate shutdown"
            as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m immediate -w -t 10 >/dev/null 2>&1 || true
        fi
    fi
}

# --- nats --------------------------------------------------------------------

nats_start() {
    if [ -n "${NATS_EXTERNAL_URL:-}" ]; then
        say "outside NATS $NATS_EXTERNAL_URL: no nats-server started"
        return 0
    fi
    if name_alive nats; then
        say "nats-server already running (pid $(pid_of nats))"
        return 0
    fi
    command -v "$NATS_SERVER" >/dev/null 2>&1 || die "no nats-server: run scripts/deps.sh"
    port_in_use "$NATS_PORT" && die "port $NATS_PORT is in use: set NATS_PORT to a free port"
    mkdir -p "$VAR_DIR/nats"
    say "starting nats-server (JetStream) on 127.0.0.1:$NATS_PORT"
    # The Go runtime spins idle threads looking for work; on a small machine
    # shared with the daemons and Postgres that spinning costs more than it
    # gains (measured on 2 cores: 1 thread halves nats-server's CPU per
    # request). NATS_GOMAXPROCS (default: half the cores, at least 1).
    (GOMAXPROCS=$NATS_GOMAXPROCS exec setsid "$NATS_SERVER" -js -a 127.0.0.1 -p "$NATS_PORT" \
        -sd "$VAR_DIR/nats" -n "stack-$NATS_PORT") \
        >>"$VAR_DIR/log/nats.log" 2>&1 </dev/null &
    echo $! >"$VAR_DIR/run/nats.pid"
    local deadline=$(($(now) + 15))
    until tcp_open 127.0.0.1 "$NATS_PORT"; do
        if ! just_started_alive nats; then
            show_log "$VAR_DIR/log/nats.log"
            die "nats-server exited"
        fi
        if [ "$(now)" -gt "$deadline" ]; then
            show_log "$VAR_DIR/log/nats.log"
            die "nats-server does not listen on $NATS_PORT after 15 s"
        fi
        sleep 0.2
    done
}

# --- daemons -----------------------------------------------------------------

# stop_names <name...>: TERM each running process, wait up to
# STACK_STOP_TIMEOUT_S for all of them, then KILL leftovers; removes pid files
stop_names() {
    local n pid left deadline
    local -a running=()
    for n in "$@"; do
        pid=$(pid_of "$n")
        if proc_alive "$pid" "$(exe_of "$n")"; then
            kill -TERM "$pid" 2>/dev/null || true
            running+=("$n")
        else
            rm -f "$VAR_DIR/run/$n.pid"
        fi
    done
    [ "${#running[@]}" -eq 0 ] && return 0
    say "stopping ${running[*]}"
    deadline=$(($(now) + STACK_STOP_TIMEOUT_S))
    while :; do
        left=()
        for n in "${running[@]}"; do name_alive "$n" && left+=("$n"); done
        [ "${#left[@]}" -eq 0 ] && break
        if [ "$(now)" -ge "$deadline" ]; then
            say "still running after ${STACK_STOP_TIMEOUT_S}s, killing: ${left[*]}"
            for n in "${left[@]}"; do kill -KILL "$(pid_of "$n")" 2>/dev/null || true; done
            sleep 0.2
            break
        fi
        sleep 0.1
    done
    for n in "${running[@]}"; do rm -f "$VAR_DIR/run/$n.pid"; done
}

# launch <svc> <N>: starts one daemon instance in the background (no wait)
# pg_host_for_daemons: the cluster's unix socket folder when it has one (a
# query costs less CPU than over TCP), else 127.0.0.1
pg_host_for_daemons() {
    if [ -S "$PG_DIR/sock/.s.PGSQL.$PG_PORT" ]; then
        printf '%s\n' "$PG_DIR/sock"
    else
        printf '127.0.0.1\n'
    fi
}

launch() {
    local svc=$1 inst=$2 name bin port var
    name=$(inst_name "$svc" "$inst")
    bin="$BUILD/bin/$svc"
    if name_alive "$name"; then
        say "$name already running (pid $(pid_of "$name"))"
        return 0
    fi
    [ -x "$bin" ] || die "no binary $bin: run 'make build' (or set BUILD)"
    port=$(admin_port "$svc" "$inst")
    port_in_use "$port" && die "admin port $port for $name is in use: set ADMIN_PORT_BASE"
    local -a envs=(NATS_URL="$NATS_URL" ADMIN_HOST="$ADMIN_HOST" ADMIN_PORT="$port")
    local -a unset_=()
    for var in "${PASS_VARS[@]}"; do
        if [ -n "${!var+x}" ]; then envs+=("$var=${!var}"); fi
    done
    if [ "$svc" = edge ]; then
        envs+=(EDGE_HOST="$EDGE_HOST" EDGE_PORT="$EDGE_PORT")
        unset_=(-u PG_HOST -u PG_PORT -u PG_DATABASE -u PG_USER -u PG_PASSWORD -u PG_ADMIN_USER
            -u PG_ADMIN_PASSWORD -u MIGRATIONS_DIR -u BOOTSTRAP_API_USER -u BOOTSTRAP_API_KEY
            -u BOOTSTRAP_ADMIN_EMAIL -u BOOTSTRAP_ADMIN_PASSWORD)
    else
        var=$(svc_password_var "$svc")
        envs+=(PG_HOST="$(pg_host_for_daemons)" PG_PORT="$PG_PORT" PG_DATABASE="$PG_DATABASE" PG_USER="$svc"
            PG_PASSWORD="${!var}" PG_ADMIN_USER="$PG_ADMIN_USER" PG_ADMIN_PASSWORD="$PG_ADMIN_PASSWORD"
            MIGRATIONS_DIR="$ROOT/services/$svc/migrations")
        unset_=(-u EDGE_HOST -u EDGE_PORT -u BOOTSTRAP_API_USER -u BOOTSTRAP_API_KEY
            -u BOOTSTRAP_ADMIN_EMAIL -u BOOTSTRAP_ADMIN_PASSWORD)
        if [ "$svc" = identity ]; then
            unset_=(-u EDGE_HOST -u EDGE_PORT)
            envs+=(BOOTSTRAP_API_USER="$BOOTSTRAP_API_USER" BOOTSTRAP_API_KEY="$BOOTSTRAP_API_KEY"
                BOOTSTRAP_ADMIN_EMAIL="$BOOTSTRAP_ADMIN_EMAIL"
                BOOTSTRAP_ADMIN_PASSWORD="$BOOTSTRAP_ADMIN_PASSWORD")
        fi
        if [ "$svc" = messaging ]; then envs+=(SPOOL_DIR="$VAR_DIR/spool"); fi
    fi
    # a marker in the daemon's own format, so that the log stays JSON lines
    printf '{"time":"%s","level":"info","service":"stack","msg":"starting %s","admin_port":%s}\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "$port" >>"$VAR_DIR/log/$name.log"
    (cd "$ROOT" && exec setsid env "${unset_[@]}" "${envs[@]}" "$bin") \
        >>"$VAR_DIR/log/$name.log" 2>&1 </dev/null &
    echo $! >"$VAR_DIR/run/$name.pid"
}

# wait_ready <name...>: polls each instance's /readyz until all answer 200,
# for at most STACK_READY_TIMEOUT_S; on failure shows the log and exits 1
wait_ready() {
    local start deadline n svc port code t last_print=-1 tty=0
    local -a pending=("$@") still ready=()
    [ -t 2 ] && tty=1
    start=$(now)
    deadline=$((start + STACK_READY_TIMEOUT_S))
    while :; do
        still=()
        for n in "${pending[@]}"; do
            if ! just_started_alive "$n"; then
                [ "$tty" = 1 ] && printf '\n' >&2
                show_log "$VAR_DIR/log/$n.log" 60
                die "$n exited before becoming ready (log: $VAR_DIR/log/$n.log)"
            fi
            svc=$(svc_of "$n")
            port=$(admin_port "$svc" "$(inst_of "$n")")
            code=$(http_code "http://$ADMIN_HOST:$port/readyz")
            if [ "$code" = 200 ]; then ready+=("$n"); else still+=("$n"); fi
        done
        pending=("${still[@]}")
        t=$(($(now) - start))
        if [ "${#pending[@]}" -eq 0 ]; then
            [ "$tty" = 1 ] && printf '\r\033[K' >&2
            say "ready: ${ready[*]} (${t}s)"
            return 0
        fi
        if [ "$(now)" -ge "$deadline" ]; then
            [ "$tty" = 1 ] && printf '\n' >&2
            for n in "${pending[@]}"; do show_log "$VAR_DIR/log/$n.log" 40; done
            die "not ready after ${STACK_READY_TIMEOUT_S}s: ${pending[*]} (logs in $VAR_DIR/log)"
        fi
        if [ "$tty" = 1 ]; then
            printf '\rstack: waiting for /readyz (%ss/%ss): %d ready, waiting for %s\033[K' \
                "$t" "$STACK_READY_TIMEOUT_S" "${#ready[@]}" "${pending[*]}" >&2
        elif [ $((t / 5)) -ne "$last_print" ]; then
            last_print=$((t / 5))
            say "waiting for /readyz (${t}s/${STACK_READY_TIMEOUT_S}s): ${#ready[@]} ready, waiting for ${pending[*]}"
        fi
        sleep 0.3
    done
}

# --- commands ----------------------------------------------------------------

any_running() {
    local f
    for f in "$VAR_DIR"/run/*.pid; do
        [ -e "$f" ] || continue
        name_alive "$(basename "$f" .pid)" && return 0
    done
    [ -d "$PG_DIR/data" ] && pg_running && return 0
    return 1
}

prepare_var() {
    if [ ! -d "$VAR_DIR" ]; then
        mkdir -p "$VAR_DIR"
        chmod 755 "$VAR_DIR" # so the postgres user can reach VAR_DIR/pg; secrets are 600
    fi
    mkdir -p "$VAR_DIR/log" "$VAR_DIR/run" "$VAR_DIR/spool"
}

# check_running_ports: when part of the stack runs already, refuses settings
# that would disagree with it (ports, hosts); other settings may change
check_running_ports() {
    local v now_ then_ f
    local -a vars=()
    [ -f "$STACK_ENV" ] || return 0
    if (load_settings 0 && pg_running); then vars+=(PG_PORT PG_DATABASE); fi
    if (load_settings 0 && name_alive nats); then vars+=(NATS_PORT); fi
    for f in "$VAR_DIR"/run/*.pid; do
        if [ ! -e "$f" ] || [ "$f" = "$VAR_DIR/run/nats.pid" ]; then continue; fi
        if (load_settings 0 && name_alive "$(basename "$f" .pid)"); then
            vars+=(NATS_PORT PG_PORT EDGE_PORT EDGE_HOST ADMIN_HOST ADMIN_PORT_BASE)
            break
        fi
    done
    for v in "${vars[@]}"; do
        now_=${!v}
        # shellcheck disable=SC1090
        then_=$(. "$STACK_ENV" && printf '%s' "${!v:-}")
        if [ -n "$then_" ] && [ "$now_" != "$then_" ]; then
            die "the stack in $VAR_DIR runs with $v=$then_ (asked: $now_): run 'scripts/stack.sh down' first"
        fi
    done
}

infra_up() {
    local v
    load_settings 1
    check_running_ports
    for v in EDGE_PORT NATS_PORT PG_PORT; do
        if [ "${!v}" -ge "$ADMIN_PORT_BASE" ] && [ "${!v}" -lt $((ADMIN_PORT_BASE + 100)) ]; then
            say "warning: $v=${!v} lies in the admin port range $ADMIN_PORT_BASE..$((ADMIN_PORT_BASE + 99)) (instance N of a service uses ADMIN_PORT_BASE + offset + 20*(N-1))"
        fi
    done
    prepare_var
    make_secrets
    pg_prepare_dir
    write_stack_env
    pg_initdb
    pg_start
    pg_create_db
    nats_start
}

cmd_infra_up() {
    infra_up
    say "postgres: $(cmd_pg_url)"
    say "nats:     $NATS_URL"
}

cmd_up() {
    local s
    # fail before starting anything when a binary is missing
    (
        load_settings 1
        for s in "${DAEMONS[@]}"; do
            [ -x "$BUILD/bin/$s" ] || die "no binary $BUILD/bin/$s: run 'make build' first (or set BUILD)"
        done
    )
    infra_up
    DIE_HINT="what did start is still running; 'scripts/stack.sh status' shows it, 'scripts/stack.sh down' stops it"
    # identity first: the edge loads its signing keys (and follows its events) at start,
    # and retries only every second, answering bearer tokens 503 until then
    launch identity 1
    wait_ready identity
    for s in "${DAEMONS[@]}"; do [ "$s" = identity ] || launch "$s" 1; done
    wait_ready "${DAEMONS[@]}"
    {
        printf 'BOOTSTRAP_API_USER=%q\n' "$BOOTSTRAP_API_USER"
        printf 'BOOTSTRAP_API_KEY=%q\n' "$BOOTSTRAP_API_KEY"
        printf 'BOOTSTRAP_ADMIN_EMAIL=%q\n' "$BOOTSTRAP_ADMIN_EMAIL"
        printf 'BOOTSTRAP_ADMIN_PASSWORD=%q\n' "$BOOTSTRAP_ADMIN_PASSWORD"
        printf 'BASE_URL=%q\n' "$BASE_URL"
    } >"$VAR_DIR/bootstrap.env.tmp"
    chmod 600 "$VAR_DIR/bootstrap.env.tmp"
    mv "$VAR_DIR/bootstrap.env.tmp" "$VAR_DIR/bootstrap.env"
    cat <<EOF
The suite is up.
  base URL:           $BASE_URL
  bootstrap API user: $BOOTSTRAP_API_USER
  bootstrap API key:  $BOOTSTRAP_API_KEY
  platform admin:     $BOOTSTRAP_ADMIN_EMAIL / $BOOTSTRAP_ADMIN_PASSWORD
  outgoing email/SMS: $VAR_DIR/spool/
  (also in $VAR_DIR/bootstrap.env)
  logs: $VAR_DIR/log/   status: scripts/stack.sh status   stop: make down
EOF
}

cmd_down() {
    local f n
    local -a names=()
    if [ ! -d "$VAR_DIR" ]; then
        say "nothing to stop ($VAR_DIR does not exist)"
        return 0
    fi
    load_settings 0
    for f in "$VAR_DIR"/run/*.pid; do
        [ -e "$f" ] || continue
        n=$(basename "$f" .pid)
        [ "$n" = nats ] || names+=("$n")
    done
    [ "${#names[@]}" -gt 0 ] && stop_names "${names[@]}"
    stop_names nats
    pg_stop
    say "down"
}

cmd_start() {
    local svc=${1:-} inst=${2:-1} name
    [ -n "$svc" ] || die "usage: start <svc> [N]"
    check_svc "$svc"
    check_inst "$inst"
    require_stack
    load_settings 0
    name=$(inst_name "$svc" "$inst")
    if [ "$svc" != edge ] && ! { [ -d "$PG_DIR/data" ] && pg_running; }; then
        say "warning: postgres is not running; $name will not become ready"
    fi
    name_alive nats || [ -n "${NATS_EXTERNAL_URL:-}" ] ||
        say "warning: nats-server is not running; $name will not become ready"
    launch "$svc" "$inst"
    wait_ready "$name"
}

cmd_stop() {
    local svc=${1:-} inst=${2:-1}
    [ -n "$svc" ] || die "usage: stop <svc> [N]"
    check_svc "$svc"
    check_inst "$inst"
    load_settings 0
    stop_names "$(inst_name "$svc" "$inst")"
}

cmd_start_nats() {
    require_stack
    load_settings 0
    nats_start
}

cmd_stop_nats() {
    load_settings 0
    stop_names nats
}

# cmd_kill9 <name>: SIGKILL a running daemon or nats-server, wait until gone;
# the pid file stays (a dead pid is never taken for alive: see proc_alive)
cmd_kill9() {
    local n=$1 pid deadline
    load_settings 0
    pid=$(pid_of "$n")
    proc_alive "$pid" "$(exe_of "$n")" || die "$n is not running"
    kill -KILL "$pid"
    deadline=$(($(now) + 10))
    while proc_alive "$pid" "$(exe_of "$n")"; do
        [ "$(now)" -lt "$deadline" ] || die "$n (pid $pid) still alive 10 s after SIGKILL"
        sleep 0.05
    done
    say "killed $n (pid $pid) with SIGKILL"
}

cmd_stop_pg() {
    local mode=${1:-fast}
    case $mode in fast | immediate) ;; *) die "usage: stop-pg [fast|immediate]" ;; esac
    require_stack
    load_settings 0
    pg_stop "$mode"
}

cmd_start_pg() {
    require_stack
    load_settings 0
    pg_start
}

cmd_status() {
    local s n f pid port code ok=0 line
    load_settings 0
    if [ -d "$PG_DIR/data" ] && pg_running; then
        printf '%-14s %-9s pid %-8s 127.0.0.1:%s db %s\n' postgres up "$(pg_pid)" "$PG_PORT" "$PG_DATABASE"
    else
        printf '%-14s %-9s\n' postgres down
        ok=1
    fi
    if [ -n "${NATS_EXTERNAL_URL:-}" ]; then
        printf '%-14s %-9s %s\n' nats outside "$NATS_EXTERNAL_URL"
    elif name_alive nats; then
        printf '%-14s %-9s pid %-8s %s\n' nats up "$(pid_of nats)" "$NATS_URL"
    else
        printf '%-14s %-9s\n' nats down
        ok=1
    fi
    # instance 1 of every daemon, then any extra instance with a pid file
    local -a names=("${DAEMONS[@]}")
    for f in "$VAR_DIR"/run/*-*.pid; do
        [ -e "$f" ] && names+=("$(basename "$f" .pid)")
    done
    for n in "${names[@]}"; do
        s=$(svc_of "$n")
        port=$(admin_port "$s" "$(inst_of "$n")")
        if name_alive "$n"; then
            pid=$(pid_of "$n")
            code=$(http_code "http://$ADMIN_HOST:$port/readyz")
            if [ "$code" = 200 ]; then line=ready; else line="not-ready"; ok=1; fi
            printf '%-14s %-9s pid %-8s admin %s:%s' "$n" "$line" "$pid" "$ADMIN_HOST" "$port"
            [ "$s" = edge ] && printf '  %s' "$BASE_URL"
            printf '\n'
        else
            printf '%-14s %-9s admin %s:%s\n' "$n" down "$ADMIN_HOST" "$port"
            ok=1
        fi
    done
    return $ok
}

cmd_admin_port() {
    local svc=${1:-} inst=${2:-1}
    [ -n "$svc" ] || die "usage: admin-port <svc> [N]"
    check_svc "$svc"
    check_inst "$inst"
    load_settings 0
    admin_port "$svc" "$inst"
}

cmd_pg_url() {
    require_stack
    load_settings 0
    printf 'postgresql://%s:%s@127.0.0.1:%s/%s\n' "$PG_ADMIN_USER" "$PG_ADMIN_PASSWORD" "$PG_PORT" "$PG_DATABASE"
}

cmd_clean() {
    local target=""
    if [ ! -d "$VAR_DIR" ]; then
        return 0
    fi
    if [ ! -f "$STACK_ENV" ] && [ ! -d "$VAR_DIR/run" ] && [ ! -d "$VAR_DIR/pg" ]; then
        die "$VAR_DIR does not look like a stack folder; not deleting it"
    fi
    cmd_down
    [ -L "$VAR_DIR/pg" ] && target=$(readlink "$VAR_DIR/pg")
    case $target in /tmp/health-pg.*) rm -rf "$target" ;; esac
    rm -rf "$VAR_DIR"
    say "deleted $VAR_DIR"
}

main() {
    local cmd=${1:-help}
    [ $# -gt 0 ] && shift
    case $cmd in
    up) cmd_up ;;
    infra-up) cmd_infra_up ;;
    down) cmd_down ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    restart)
        cmd_stop "$@"
        cmd_start "$@"
        ;;
    start-nats) cmd_start_nats ;;
    stop-nats) cmd_stop_nats ;;
    restart-nats)
        cmd_stop_nats
        cmd_start_nats
        ;;
    start-pg) cmd_start_pg ;;
    stop-pg) cmd_stop_pg "$@" ;;
    restart-pg)
        cmd_stop_pg "$@"
        cmd_start_pg
        ;;
    status) cmd_status ;;
    kill9)
        [ -n "${1:-}" ] || die "usage: kill9 <svc> [N]"
        check_svc "$1"
        check_inst "${2:-1}"
        cmd_kill9 "$(inst_name "$1" "${2:-1}")"
        ;;
    kill9-nats) cmd_kill9 nats ;;
    admin-port) cmd_admin_port "$@" ;;
    pg-url) cmd_pg_url ;;
    psql)
        require_stack
        load_settings 0
        pg_psql "$PG_DATABASE" "$@"
        ;;
    env)
        require_stack
        cat "$STACK_ENV"
        ;;
    clean) cmd_clean ;;
    help | -h | --help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
