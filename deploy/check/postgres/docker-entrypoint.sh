#!/bin/sh
# docker-entrypoint.sh: the postgres stand-in's start (Containerfile beside
# this file). As root: make $PGDATA the postgres user's, then run again as
# that user. As postgres: on an empty $PGDATA, initdb a UTF8 cluster whose
# superuser is $POSTGRES_USER with $POSTGRES_PASSWORD, allow scram-sha-256
# logins from anywhere, create $POSTGRES_DB; then exec postgres listening on
# every address. Neither password nor data is ever printed.
set -eu
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA"
    chown -R postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "postgres stand-in: POSTGRES_PASSWORD is required" >&2
        exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" start >/dev/null
    if [ "$POSTGRES_DB" != postgres ]; then
        # psql expands :"db" (a quoted identifier) in its input, not in -c
        echo 'CREATE DATABASE :"db";' | psql -v ON_ERROR_STOP=1 -h /var/run/postgresql \
            -U "$POSTGRES_USER" -d postgres -v db="$POSTGRES_DB" >/dev/null
    fi
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "postgres stand-in: database cluster initialised (UTF8)" >&2
fi

if [ "${1:-postgres}" = postgres ]; then
    [ $# -gt 0 ] && shift
    exec postgres -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql "$@"
fi
exec "$@"
