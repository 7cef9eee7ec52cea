#!/usr/bin/env bash
# bench_bigbody.sh: the large-body figures of `make bench` (scripts/bench.sh
# runs it on its stack; alone: scripts/with-test-stack.sh scripts/bench_bigbody.sh).
#   - GET /api/2015-02-01/admin/users of an OU of BENCH_EXPORT_USERS (100,000)
#     users, as CSV and as JSON lines: MB/s, and the peak resident memory of
#     the edge and of messaging while it streams (sampled every 20 ms from
#     /proc), beside their memory before;
#   - a BENCH_UPLOAD_MB (20) MB attachment: POST attachment and GET its
#     content, MB/s each, SHA-256 compared, and the edge's peak memory.
# The users are inserted straight into identity's tables (psql), the
# organization and its API client are made through the API. Prints one table
# on stdout; progress on stderr.
set -uo pipefail

USERS=${BENCH_EXPORT_USERS:-100000}
UPLOAD_MB=${BENCH_UPLOAD_MB:-20}
WORK=$(mktemp -d) || exit 1
trap 'rm -rf "$WORK"; [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null' EXIT

say() { printf 'bench_bigbody: %s\n' "$*" >&2; }
die() {
    printf 'bench_bigbody: error: %s\n' "$*" >&2
    exit 1
}
[ -n "${TEST_EDGE_URL:-}" ] && [ -n "${TEST_PG_URL:-}" ] && [ -n "${TEST_VAR_DIR:-}" ] ||
    die "runs under scripts/with-test-stack.sh only"

pid_of() { cat "$TEST_VAR_DIR/run/$1.pid"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# sample <pid> <file>: max VmRSS (KiB) into file until killed
sample() {
    local max=0 v
    while :; do
        v=$(rss_kib "$1") || break
        [ "${v:-0}" -gt "$max" ] && max=$v && echo "$max" >"$2"
        sleep 0.02
    done
}

# watch <edge file> <messaging file> <cmd...>: runs cmd while both are sampled
watch() {
    local ef=$1 mf=$2 pe pm rc
    shift 2
    rss_kib "$(pid_of edge)" >"$ef"
    rss_kib "$(pid_of messaging)" >"$mf"
    sample "$(pid_of edge)" "$ef" &
    pe=$!
    sample "$(pid_of messaging)" "$mf" &
    pm=$!
    "$@"
    rc=$?
    kill "$pe" "$pm" 2>/dev/null
    wait "$pe" "$pm" 2>/dev/null
    return $rc
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0) ? b / 1048576 / s : 0 }'; }

# --- an organization with an admin API client
body=$(curl -s --max-time 30 -H 'Content-Type: application/json' \
    -d "{\"username\":\"$TEST_ADMIN_EMAIL\",\"password\":\"$TEST_ADMIN_PASSWORD\"}" \
    "$TEST_EDGE_URL/v1/login/")
TOKEN=$(jq -r '."access-token" // empty' <<<"$body")
[ -n "$TOKEN" ] || die "login failed: $body"
name="bench-bigbody-$RANDOM$RANDOM"
body=$(curl -s --max-time 30 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"$name\"}}}" \
    "$TEST_EDGE_URL/v1/organizations/")
ORG=$(jq -r '.data.id // empty' <<<"$body")
[ -n "$ORG" ] || die "organization not created: $body"
body=$(curl -s --max-time 30 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"$name\",\"organization-id\":\"$ORG\",\"roles\":[\"admin\"]}},\"meta\":{}}" \
    "$TEST_EDGE_URL/v1/api-clients/")
CRED="$(jq -r '.data.attributes."api-user-id"' <<<"$body"):$(jq -r '.data.attributes."api-key"' <<<"$body")"
[ "${CRED%%:*}" != null ] || die "API client not created: $body"

# --- the export
say "inserting $USERS users into identity"
psql "$TEST_PG_URL" -X -q -v ON_ERROR_STOP=1 -v org="$ORG" -v n="$USERS" -v p="$name" >/dev/null <<'SQL' ||
WITH u AS (INSERT INTO identity.users (username, email, first_name, last_name)
           SELECT :'p' || '-' || i, :'p' || '-' || i || '@example.com', 'First' || i, 'Last' || i
           FROM generate_series(1, :n) i RETURNING id)
INSERT INTO identity.user_organizations (user_id, organization_id) SELECT id, :'org'::uuid FROM u;
SQL
    die "inserting users failed"

export_run() { # <format> <out>
    curl -s --max-time 600 -u "$CRED" -o /dev/null -w '%{http_code} %{size_download} %{time_total}' \
        "$TEST_EDGE_URL/api/2015-02-01/admin/users?format=$1" >"$2"
}
rows=()
for fmt in csv json; do
    say "export of $USERS users as $fmt"
    watch "$WORK/e" "$WORK/m" export_run "$fmt" "$WORK/x" || die "export ($fmt) failed"
    read -r code size secs <"$WORK/x"
    [ "$code" = 200 ] || die "export ($fmt) answered $code"
    rows+=("$(printf '%-34s %8s MB %8s MB/s   edge peak %6s MB   messaging peak %6s MB' \
        "admin/users export ($fmt)" "$(mb "$size")" "$(rate "$size" "$secs")" \
        "$(mb $(($(cat "$WORK/e") * 1024)))" "$(mb $(($(cat "$WORK/m") * 1024)))")")
done

# --- a large attachment, up and down
say "attachment of $UPLOAD_MB MB"
head -c $((UPLOAD_MB * 1048576)) /dev/urandom >"$WORK/blob"
up_run() {
    curl -s --max-time 600 -u "$CRED" -F "attachment=@$WORK/blob;filename=blob.bin" \
        -o "$WORK/up.json" -w '%{http_code} %{size_upload} %{time_total}' \
        "$TEST_EDGE_URL/api/2014-08-01/attachment" >"$WORK/x"
}
watch "$WORK/e" "$WORK/m" up_run || die "upload failed"
read -r code size secs <"$WORK/x"
[ "$code" = 200 ] || die "upload answered $code: $(cat "$WORK/up.json")"
rows+=("$(printf '%-34s %8s MB %8s MB/s   edge peak %6s MB   messaging peak %6s MB' \
    "attachment upload" "$(mb "$size")" "$(rate "$size" "$secs")" \
    "$(mb $(($(cat "$WORK/e") * 1024)))" "$(mb $(($(cat "$WORK/m") * 1024)))")")
ID=$(jq -r .attachment.id "$WORK/up.json")
down_run() {
    curl -s --max-time 600 -u "$CRED" -o "$WORK/down" -w '%{http_code} %{size_download} %{time_total}' \
        "$TEST_EDGE_URL/api/2014-08-01/attachment/$ID/content" >"$WORK/x"
}
watch "$WORK/e" "$WORK/m" down_run || die "download failed"
read -r code size secs <"$WORK/x"
[ "$code" = 200 ] || die "download answered $code"
cmp -s "$WORK/blob" "$WORK/down" || die "downloaded content differs from the upload"
rows+=("$(printf '%-34s %8s MB %8s MB/s   edge peak %6s MB   messaging peak %6s MB   (intact)' \
    "attachment download" "$(mb "$size")" "$(rate "$size" "$secs")" \
    "$(mb $(($(cat "$WORK/e") * 1024)))" "$(mb $(($(cat "$WORK/m") * 1024)))")")

echo "large bodies: NATS max_payload 1 MiB; peaks are the processes' resident memory sampled every 20 ms"
printf '%s\n' "${rows[@]}"
