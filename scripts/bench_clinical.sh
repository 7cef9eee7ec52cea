# bench_clinical.sh: the clinical messaging figures of `make bench`, sourced
# by scripts/bench.sh (it uses its measure_pair, login_as_admin, say and
# die) and run on its stack when BENCH_CLINICAL is not 0:
#   - threads created/s: POST thread/create through the edge as an API client
#     (tests/bench/clinical_thread_create.lua), one recipient;
#   - messages posted/s: POST message into one thread
#     (tests/bench/clinical_message_post.lua);
#   - counters read: GET user/counters/{user_id}, its p50 and p99;
# each beside the plain libevent server of the same run (measure_pair; no
# target: issue 11 sets none). The
# organization, its admin API client and the recipient (POST admin/users)
# are made through the edge. Rows go to the bench table.

# clinical_figures: sets the world up and measures the three figures
clinical_figures() {
    local body name org cred auth recipient thread
    login_as_admin
    name="bench-clinical-$RANDOM$RANDOM"
    body=$(curl -s --max-time 30 -H "Authorization: Bearer $ADMIN_TOKEN" \
        -H 'Content-Type: application/json' \
        -d "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"$name\"}}}" \
        "$TEST_EDGE_URL/v1/organizations/")
    org=$(jq -r '.data.id // empty' <<<"$body")
    [ -n "$org" ] || die "clinical bench: organization not created: $body"
    body=$(curl -s --max-time 30 -H "Authorization: Bearer $ADMIN_TOKEN" \
        -H 'Content-Type: application/json' \
        -d "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"$name\",\"organization-id\":\"$org\",\"roles\":[\"admin\"]}},\"meta\":{}}" \
        "$TEST_EDGE_URL/v1/api-clients/")
    cred="$(jq -r '.data.attributes."api-user-id"' <<<"$body"):$(jq -r '.data.attributes."api-key"' <<<"$body")"
    [ "${cred%%:*}" != null ] || die "clinical bench: API client not created: $body"
    auth="Authorization: Basic $(printf '%s' "$cred" | base64 -w0)"
    recipient="$name-rcpt@example.com"
    body=$(curl -s --max-time 30 -H "$auth" \
        -d "first_name=Bench&last_name=Recipient&email=$recipient&specialty=Bench&title=Bench&send_activation_email=False" \
        "$TEST_EDGE_URL/api/2015-02-01/admin/users")
    [ "$(jq -r '.status // empty' <<<"$body")" = ok ] || die "clinical bench: recipient not created: $body"
    body=$(curl -s --max-time 30 -H "$auth" -H 'Content-Type: application/json' \
        -d "{\"subject\":\"bench\",\"message\":\"first\",\"recipients\":[\"$recipient\"]}" \
        "$TEST_EDGE_URL/api/2014-08-01/thread/create")
    thread=$(jq -r '.thread_id // empty' <<<"$body")
    [ -n "$thread" ] || die "clinical bench: thread/create failed: $body"

    export BENCH_RECIPIENT=$recipient BENCH_THREAD=$thread # read by the wrk scripts
    PAIR_TARGET= measure_pair "edge POST thread/create" \
        /api/2014-08-01/thread/create -H "$auth" -s "$ROOT/tests/bench/clinical_thread_create.lua"
    PAIR_TARGET= measure_pair "edge POST message" /api/2014-08-01/message \
        -H "$auth" -s "$ROOT/tests/bench/clinical_message_post.lua"
    PAIR_TARGET= measure_pair "edge GET user/counters" \
        "/api/2016-11-01/user/counters/$recipient" -H "$auth"
}
