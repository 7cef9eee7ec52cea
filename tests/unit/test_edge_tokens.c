/* test_edge_tokens.c: the edge's access-token pieces without NATS: the key
 * set and its fetch schedule, the revocation set (fake clock), the per-loop
 * cache of verified tokens, the principal built from a token, and a
 * micro-benchmark of a signature check against a cache hit. */
// links: services/edge/token_check.c services/edge/token_keys.c services/edge/revocations.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../services/edge/revocations.h"
#include "../../services/edge/token_check.h"
#include "../../services/edge/token_keys.h"
#include "identity.pb-c.h"

#define NOW 1700000000LL
#define TTL 3600
#define KEEP (TTL + 60)
#define USER "11111111-1111-4111-8111-111111111111"
#define SESSION "22222222-2222-4222-8222-222222222222"
#define ORG "33333333-3333-4333-8333-333333333333"

static unsigned char pk[CM_TOKEN_PK_BYTES], sk[CM_TOKEN_SK_BYTES];
static unsigned char pk2[CM_TOKEN_PK_BYTES], sk2[CM_TOKEN_SK_BYTES];
static struct token_keys *keys;
static struct revocations *rv;
static struct token_cache cache;

static void setup(void)
{
    struct token_key k[2] = {{.kid = "k1"}, {.kid = "k2"}};

    cr_assert(sodium_init() >= 0);
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    memcpy(k[0].pk, pk, sizeof pk);
    memcpy(k[1].pk, pk2, sizeof pk2);
    keys = token_keys_new();
    token_keys_replace(keys, k, 2);
    rv = revocations_new(KEEP);
    token_cache_init(&cache, 64);
}

static void teardown(void)
{
    token_cache_release(&cache);
    revocations_free(rv);
    token_keys_free(keys);
}

TestSuite(token_check, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(revocations, .init = setup, .fini = teardown, .timeout = 10);
TestSuite(token_keys, .timeout = 10);

/* A token of typ for USER/SESSION issued at iat, living ttl seconds, signed
 * under kid with key. Caller frees. */
static char *token_of(const char *typ, int64_t iat, int64_t ttl, const char *kid,
                      const unsigned char *key)
{
    struct cm_token_claims c = {0};

    snprintf(c.typ, sizeof c.typ, "%s", typ);
    snprintf(c.sub, sizeof c.sub, USER);
    snprintf(c.sid, sizeof c.sid, SESSION);
    snprintf(c.org, sizeof c.org, ORG);
    snprintf(c.roles[0], sizeof c.roles[0], "admin");
    c.nroles = 1;
    c.iat = iat;
    c.exp = iat + ttl;
    return cm_token_sign(&c, NULL, kid, key);
}

static enum token_verdict check(const char *token, int64_t now)
{
    const struct cm_token_claims *claims;
    return token_check(&cache, keys, rv, token, now, &claims);
}

/* --- token_check --- */

Test(token_check, accepts_a_good_access_token_and_caches_it)
{
    char *t = token_of("access", NOW, 300, "k1", sk);
    const struct cm_token_claims *claims = NULL;

    cr_assert(eq(int, token_check(&cache, keys, rv, t, NOW + 1, &claims), TOKEN_OK));
    cr_assert(eq(str, (char *)claims->sub, USER));
    cr_assert(eq(u64, cache.misses, 1));
    cr_assert(eq(int, token_check(&cache, keys, rv, t, NOW + 2, &claims), TOKEN_OK));
    cr_assert(eq(u64, cache.hits, 1), "second check is a cache hit");
    cr_assert(eq(str, (char *)claims->sid, SESSION));
    free(t);
}

Test(token_check, accepts_any_known_key)
{
    char *t = token_of("access", NOW, 300, "k2", sk2);
    cr_assert(eq(int, check(t, NOW), TOKEN_OK));
    free(t);
}

Test(token_check, refuses_id_tokens)
{
    char *t = token_of("id", NOW, 300, "k1", sk);
    cr_assert(eq(int, check(t, NOW), TOKEN_REFUSED));
    cr_assert(eq(int, check(t, NOW), TOKEN_REFUSED), "and is not cached");
    cr_assert(eq(u64, cache.hits, 0));
    free(t);
}

Test(token_check, refuses_a_token_signed_by_another_key_under_a_known_kid)
{
    unsigned char opk[CM_TOKEN_PK_BYTES], osk[CM_TOKEN_SK_BYTES];
    char *t;

    crypto_sign_keypair(opk, osk);
    t = token_of("access", NOW, 300, "k1", osk);
    cr_assert(eq(int, check(t, NOW), TOKEN_REFUSED));
    free(t);
}

Test(token_check, refuses_garbage_and_oversized_tokens)
{
    char *big = malloc(CM_TOKEN_MAX_LEN + 2);

    memset(big, 'a', CM_TOKEN_MAX_LEN + 1);
    big[CM_TOKEN_MAX_LEN + 1] = '\0';
    cr_assert(eq(int, check("", NOW), TOKEN_REFUSED));
    cr_assert(eq(int, check("not-a-token", NOW), TOKEN_REFUSED));
    cr_assert(eq(int, check("a.b.c", NOW), TOKEN_REFUSED));
    cr_assert(eq(int, check(big, NOW), TOKEN_REFUSED));
    free(big);
}

Test(token_check, refuses_an_unknown_kid_and_asks_for_the_keys)
{
    char *t = token_of("access", NOW, 300, "k9", sk);

    cr_assert(eq(int, token_keys_refresh_wanted(keys), 0));
    cr_assert(eq(int, check(t, NOW), TOKEN_REFUSED));
    cr_assert(eq(int, token_keys_refresh_wanted(keys), 1));
    free(t);
}

Test(token_check, is_unavailable_until_the_keys_are_loaded)
{
    struct token_keys *none = token_keys_new();
    const struct cm_token_claims *claims;
    char *t = token_of("access", NOW, 300, "k1", sk);

    cr_assert(eq(int, token_check(&cache, none, rv, t, NOW, &claims), TOKEN_UNAVAILABLE));
    cr_assert(eq(int, token_check(&cache, none, rv, "garbage", NOW, &claims), TOKEN_REFUSED),
              "a malformed token is refused whether keys are there or not");
    token_keys_free(none);
    free(t);
}

Test(token_check, a_cache_hit_still_checks_expiry)
{
    char *t = token_of("access", NOW, 60, "k1", sk);

    cr_assert(eq(int, check(t, NOW), TOKEN_OK));
    cr_assert(eq(int, check(t, NOW + 59), TOKEN_OK));
    cr_assert(eq(u64, cache.hits, 1));
    cr_assert(eq(int, check(t, NOW + 60), TOKEN_REFUSED));
    cr_assert(eq(int, check(t, NOW + 61), TOKEN_REFUSED));
    free(t);
}

Test(token_check, a_cache_hit_still_checks_revocation)
{
    char *t = token_of("access", NOW, 300, "k1", sk);

    cr_assert(eq(int, check(t, NOW), TOKEN_OK));
    revocations_add(rv, SESSION, USER, NOW + 5, NOW + 5);
    cr_assert(eq(int, check(t, NOW + 6), TOKEN_REFUSED));
    cr_assert(eq(u64, cache.hits, 1), "refused on the cached path");
    free(t);
}

Test(token_check, a_tampered_copy_of_a_cached_token_is_not_a_hit)
{
    char *t = token_of("access", NOW, 300, "k1", sk);
    size_t n = strlen(t);

    cr_assert(eq(int, check(t, NOW), TOKEN_OK));
    t[n - 2] = t[n - 2] == 'A' ? 'B' : 'A';
    cr_assert(eq(int, check(t, NOW), TOKEN_REFUSED));
    cr_assert(eq(u64, cache.hits, 0));
    free(t);
}

Test(token_check, builds_the_principal_from_the_claims)
{
    struct cm_token_claims c = {0};
    Envelope__Principal p;
    char *roles[CM_TOKEN_MAX_ROLES];

    snprintf(c.typ, sizeof c.typ, "access");
    snprintf(c.sub, sizeof c.sub, USER);
    snprintf(c.sid, sizeof c.sid, SESSION);
    snprintf(c.org, sizeof c.org, ORG);
    snprintf(c.imp, sizeof c.imp, "44444444-4444-4444-8444-444444444444");
    snprintf(c.roles[0], sizeof c.roles[0], "admin");
    snprintf(c.roles[1], sizeof c.roles[1], "platform-admin");
    c.nroles = 2;
    c.gen = 9;
    token_principal(&c, &p, roles);
    cr_assert(eq(int, p.kind, ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER));
    cr_assert(eq(str, p.user_id, USER));
    cr_assert(eq(str, p.session_id, SESSION));
    cr_assert(eq(str, p.organization_id, ORG));
    cr_assert(eq(str, p.impersonator_id, "44444444-4444-4444-8444-444444444444"));
    cr_assert(eq(sz, p.n_roles, 2));
    cr_assert(eq(str, p.roles[0], "admin"));
    cr_assert(eq(str, p.roles[1], "platform-admin"));
    cr_assert(eq(str, p.client_id, ""));
    cr_assert(eq(i64, p.token_gen, 9), "identity checks a switch-organization against it");
}

/* --- revocations (fake clock) --- */

Test(revocations, refuses_every_token_of_a_revoked_session)
{
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 0, NOW), 0));
    revocations_add(rv, SESSION, USER, NOW, NOW);
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW - 100, 0, NOW), 1));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW + 100, 0, NOW + 100), 1));
    cr_assert(eq(int, revocations_refuses(rv, "other-session", USER, NOW - 100, 0, NOW), 0),
              "a session revocation leaves the user's other sessions alone");
}

Test(revocations, refuses_a_users_tokens_issued_up_to_revoked_before)
{
    revocations_add(rv, "", USER, NOW, NOW);
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW - 1, 0, NOW + 1), 1));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 0, NOW + 1), 1));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW + 1, 0, NOW + 1), 0),
              "a token issued after the revocation is good");
    cr_assert(eq(int, revocations_refuses(rv, SESSION, "someone-else", NOW - 1, 0, NOW + 1), 0));
}

Test(revocations, keeps_the_latest_revoked_before)
{
    revocations_add(rv, NULL, USER, NOW + 10, NOW + 10);
    revocations_add(rv, NULL, USER, NOW, NOW + 11); /* late, older event */
    cr_assert(eq(int, revocations_refuses(rv, "", USER, NOW + 5, 0, NOW + 12), 1));
    cr_assert(eq(sz, revocations_count(rv), 1));
}

Test(revocations, forgets_entries_once_no_token_can_outlive_them)
{
    revocations_add(rv, SESSION, USER, NOW, NOW);
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 0, NOW + KEEP - 1), 1));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 0, NOW + KEEP), 0));
    /* Too old to matter when it arrives (a replay from the stream). */
    revocations_add(rv, "old-session", USER, NOW - KEEP, NOW);
    cr_assert(eq(int, revocations_refuses(rv, "old-session", USER, NOW - KEEP, 0, NOW), 0));
}

Test(revocations, grows_and_drops_expired_entries_when_rebuilt)
{
    char id[40];

    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "s-%d", i);
        revocations_add(rv, id, USER, NOW, NOW);
    }
    cr_assert(eq(sz, revocations_count(rv), 1000));
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "s-%d", i);
        cr_assert(eq(int, revocations_refuses(rv, id, "u", 0, 0, NOW + 1), 1), "%s", id);
    }
    /* Much later: adding more drops all of the old ones at the next rebuild. */
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "t-%d", i);
        revocations_add(rv, id, USER, NOW + KEEP, NOW + KEEP);
    }
    cr_assert(le(sz, revocations_count(rv), 1000), "the old entries were dropped");
    cr_assert(eq(int, revocations_refuses(rv, "t-999", "u", 0, 0, NOW + KEEP + 1), 1));
    cr_assert(eq(int, revocations_refuses(rv, "s-0", "u", 0, 0, NOW + KEEP + 1), 0));
}

Test(revocations, ignores_ids_no_token_can_carry)
{
    char longid[64];

    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    revocations_add(rv, longid, USER, NOW, NOW);
    revocations_add(rv, "", "", NOW, NOW);
    revocations_add(rv, NULL, NULL, NOW, NOW);
    cr_assert(eq(sz, revocations_count(rv), 0));
}

/* A packed SessionRevoked. Caller frees. */
static uint8_t *event_of(const char *session, const char *user, int64_t before,
                         const char *occurred_at, size_t *len)
{
    Identity__SessionRevoked ev = IDENTITY__SESSION_REVOKED__INIT;
    uint8_t *buf;

    ev.session_id = (char *)session;
    ev.user_id = (char *)user;
    ev.reason = "refresh_reuse";
    ev.occurred_at = (char *)occurred_at;
    ev.revoked_before = before;
    *len = identity__session_revoked__get_packed_size(&ev);
    buf = malloc(*len ? *len : 1);
    identity__session_revoked__pack(&ev, buf);
    return buf;
}

Test(revocations, applies_session_revoked_events)
{
    size_t len;
    uint8_t *a = event_of(SESSION, USER, NOW, "", &len);

    cr_assert(eq(int, revocations_apply(rv, a, len, NOW + 1), CM_OK));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW + 1, 0, NOW + 1), 1));
    free(a);
    /* A user-wide revocation with only occurred_at (2023-11-14T22:13:20Z is NOW). */
    a = event_of("", "55555555-5555-4555-8555-555555555555", 0, "2023-11-14T22:13:20.000000Z",
                 &len);
    cr_assert(eq(int, revocations_apply(rv, a, len, NOW + 1), CM_OK));
    cr_assert(eq(int, revocations_refuses(rv, "x", "55555555-5555-4555-8555-555555555555", NOW,
                                          0, NOW + 1),
                 1));
    cr_assert(eq(int, revocations_refuses(rv, "x", "55555555-5555-4555-8555-555555555555",
                                          NOW + 1, 0, NOW + 1),
                 0));
    free(a);
    a = event_of("", "", NOW, "", &len);
    cr_assert(eq(int, revocations_apply(rv, a, len, NOW), CM_EINVAL), "names nobody");
    free(a);
    cr_assert(eq(int, revocations_apply(rv, (const uint8_t *)"\xff\xff\xff", 3, NOW), CM_EINVAL));
}

/* --- generations: exact, whatever the second --- */

Test(revocations, refuses_a_users_tokens_below_the_generation_whatever_their_time)
{
    revocations_add_user_gen(rv, USER, 5, NOW, NOW);
    /* issued in the very second of the revocation, or after it by the
     * clock: the generation alone decides */
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 4, NOW), 1));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW + 1, 4, NOW + 1), 1));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 5, NOW), 0),
              "a token issued after the revocation (its generation) is good");
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW - 1, 6, NOW), 0));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 0, NOW), 1),
              "a token without a generation is below every cut");
    cr_assert(eq(int, revocations_refuses(rv, SESSION, "someone-else", NOW, 0, NOW), 0));
}

Test(revocations, two_revocations_in_one_second_are_both_exact)
{
    /* the loop of issue 9: revoke (gen 2), log in (gen 2), revoke again
     * (gen 3), all in one second: the second login's token is refused */
    revocations_add_user_gen(rv, USER, 2, NOW, NOW);
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 2, NOW), 0));
    revocations_add_user_gen(rv, USER, 3, NOW, NOW);
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 2, NOW), 1));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 3, NOW), 0));
    /* a late, older event changes nothing */
    revocations_add_user_gen(rv, USER, 2, NOW, NOW + 1);
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 2, NOW + 1), 1));
    cr_assert(eq(sz, revocations_count(rv), 1));
}

Test(revocations, a_table_never_started_has_nothing_to_wait_for)
{
    /* revocations_start (the follower) makes tokens wait for its replay;
     * a table fed by hand, as here, is complete from the start */
    cr_assert(eq(int, revocations_caught_up(rv), 1));
}

Test(revocations, forgets_a_generation_once_no_token_below_it_can_live)
{
    revocations_add_user_gen(rv, USER, 2, NOW, NOW);
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 1, NOW + KEEP - 1), 1));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 1, NOW + KEEP), 0));
    revocations_add_user_gen(rv, USER, 0, NOW, NOW);
    revocations_add_user_gen(rv, "", 3, NOW, NOW);
    cr_assert(eq(sz, revocations_count(rv), 1), "nothing recorded for gen 0 or no user");
}

Test(revocations, applies_a_generation_and_not_the_second_beside_it)
{
    Identity__SessionRevoked ev = IDENTITY__SESSION_REVOKED__INIT;
    uint8_t buf[256];
    size_t len;

    ev.session_id = "";
    ev.user_id = USER;
    ev.reason = "role_removed";
    ev.occurred_at = "2023-11-14T22:13:20.000000Z";
    ev.revoked_before = NOW;
    ev.min_token_gen = 7;
    len = identity__session_revoked__pack(&ev, buf);
    cr_assert(eq(int, revocations_apply(rv, buf, len, NOW), CM_OK));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW, 6, NOW), 1));
    cr_assert(eq(int, revocations_refuses(rv, SESSION, USER, NOW - 5, 7, NOW), 0),
              "revoked_before is for older edges: a token of the new generation passes");
}

static uint8_t *client_event_of(const char *client, const char *change, const char *occurred_at,
                                size_t *len)
{
    Identity__ApiClientChanged ev = IDENTITY__API_CLIENT_CHANGED__INIT;
    uint8_t *buf;

    ev.client_id = (char *)client;
    ev.api_user_id = "api-user";
    ev.change = (char *)change;
    ev.occurred_at = (char *)occurred_at;
    *len = identity__api_client_changed__get_packed_size(&ev);
    buf = malloc(*len ? *len : 1);
    identity__api_client_changed__pack(&ev, buf);
    return buf;
}

#define CLIENT "66666666-6666-4666-8666-666666666666"

Test(revocations, marks_api_client_answers_cached_before_a_key_change_stale)
{
    size_t len;
    uint8_t *a = client_event_of(CLIENT, "created", "2023-11-14T22:13:20.000000Z", &len);

    cr_assert(eq(int, revocations_apply_api_client(rv, a, len, NOW + 1), CM_OK));
    cr_assert(eq(int, revocations_api_client_stale(rv, CLIENT, NOW - 5, NOW + 1), 0),
              "a new client changes nothing cached");
    free(a);
    a = client_event_of(CLIENT, "key_rotated", "2023-11-14T22:13:20.000000Z", &len); /* NOW */
    cr_assert(eq(int, revocations_apply_api_client(rv, a, len, NOW + 1), CM_OK));
    free(a);
    cr_assert(eq(int, revocations_api_client_stale(rv, CLIENT, NOW - 5, NOW + 1), 1));
    cr_assert(eq(int, revocations_api_client_stale(rv, CLIENT, NOW, NOW + 1), 1),
              "cached in the same second: asked again");
    cr_assert(eq(int, revocations_api_client_stale(rv, CLIENT, NOW + 1, NOW + 1), 0));
    cr_assert(eq(int, revocations_api_client_stale(rv, "77777777-7777-4777-8777-777777777777",
                                                   NOW - 5, NOW + 1),
                 0), "other clients are not touched");
    /* revoked, with no time: now */
    a = client_event_of(CLIENT, "revoked", "", &len);
    cr_assert(eq(int, revocations_apply_api_client(rv, a, len, NOW + 9), CM_OK));
    free(a);
    cr_assert(eq(int, revocations_api_client_stale(rv, CLIENT, NOW + 5, NOW + 9), 1));
    cr_assert(eq(int, revocations_apply_api_client(rv, (const uint8_t *)"\xff\xff\xff", 3, NOW),
                 CM_EINVAL));
}

/* --- token_keys --- */

Test(token_keys, looks_keys_up_once_loaded)
{
    struct token_keys *k = token_keys_new();
    struct token_key one = {.kid = "k1", .pk = {1, 2, 3}};
    unsigned char out[CM_TOKEN_PK_BYTES];

    cr_assert(eq(int, token_keys_lookup(k, "k1", out), TOKEN_KEYS_NOT_LOADED));
    token_keys_replace(k, &one, 1);
    cr_assert(eq(int, token_keys_lookup(k, "k1", out), TOKEN_KEY_FOUND));
    cr_assert(eq(int, memcmp(out, one.pk, sizeof out), 0));
    cr_assert(eq(int, token_keys_lookup(k, "k2", out), TOKEN_KEY_UNKNOWN));
    token_keys_replace(k, &one, 0);
    cr_assert(eq(int, token_keys_lookup(k, "k1", out), TOKEN_KEY_UNKNOWN), "withdrawn");
    token_keys_free(k);
}

Test(token_keys, fetches_at_once_then_retries_every_second_until_it_works)
{
    struct token_keys_schedule s = {0};

    cr_assert(eq(i64, token_keys_schedule_wait(&s, 5000), 0), "first fetch at once");
    token_keys_schedule_done(&s, 0, 5000);
    cr_assert(eq(i64, token_keys_schedule_wait(&s, 5000), TOKEN_KEYS_RETRY_MS));
    s.want = 1; /* unknown kids do not hurry a failing fetcher */
    cr_assert(eq(i64, token_keys_schedule_wait(&s, 5500), 500));
    cr_assert(eq(i64, token_keys_schedule_wait(&s, 6000), 0));
    token_keys_schedule_done(&s, 1, 6000);
    cr_assert(eq(int, s.loaded, 1));
    cr_assert(eq(int, s.want, 0));
    cr_assert(eq(i64, token_keys_schedule_wait(&s, 6000), TOKEN_KEYS_REFRESH_MS), "5 minutes");
}

Test(token_keys, an_unknown_kid_brings_the_fetch_forward_at_most_once_a_second)
{
    struct token_keys_schedule s = {0};

    token_keys_schedule_done(&s, 1, 10000);
    s.want = 1;
    cr_assert(eq(i64, token_keys_schedule_wait(&s, 10200), 800), "rate-limited");
    cr_assert(eq(i64, token_keys_schedule_wait(&s, 11000), 0));
    token_keys_schedule_done(&s, 1, 11000);
    cr_assert(eq(i64, token_keys_schedule_wait(&s, 11000), TOKEN_KEYS_REFRESH_MS));
    s.want = 1;
    cr_assert(eq(i64, token_keys_schedule_wait(&s, 11001), 999));
}

Test(token_keys, decodes_the_reply_and_skips_unusable_keys)
{
    Identity__SigningKey a = IDENTITY__SIGNING_KEY__INIT, b = IDENTITY__SIGNING_KEY__INIT,
                         c = IDENTITY__SIGNING_KEY__INIT, d = IDENTITY__SIGNING_KEY__INIT;
    Identity__SigningKey *all[] = {&a, &b, &c, &d};
    Identity__GetSigningKeysReply r = IDENTITY__GET_SIGNING_KEYS_REPLY__INIT;
    uint8_t pkbytes[CM_TOKEN_PK_BYTES] = {7}, buf[1024];
    struct token_key out[TOKEN_KEYS_MAX];
    size_t len;

    a.kid = "good";
    a.public_key.data = pkbytes;
    a.public_key.len = sizeof pkbytes;
    b.kid = "short-key";
    b.public_key.data = pkbytes;
    b.public_key.len = 31;
    c.kid = "";
    c.public_key = a.public_key;
    d.kid = "0123456789012345678901234567890123456789"; /* too long a kid */
    d.public_key = a.public_key;
    r.keys = all;
    r.n_keys = 4;
    len = identity__get_signing_keys_reply__pack(&r, buf);
    cr_assert(eq(int, token_keys_decode(buf, len, out), 1));
    cr_assert(eq(str, out[0].kid, "good"));
    cr_assert(eq(u8, out[0].pk[0], 7));
    cr_assert(eq(int, token_keys_decode((const uint8_t *)"\xff\xff", 2, out), -1));
}

/* --- what a token costs --- */

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Prints the per-token cost of a full check (kid, key, Ed25519, claims)
 * beside a cache hit, with one revocation in the set so the hit takes the
 * locked path. */
Test(token_check, a_cache_hit_costs_far_less_than_a_signature_check)
{
    enum { N = 2000 };
    char *t = token_of("access", NOW, 300, "k1", sk);
    struct token_cache cold;
    double t0, verify_us, hit_us;

    revocations_add(rv, "some-other-session", USER, NOW, NOW);
    token_cache_init(&cold, 1);
    t0 = now_us();
    for (int i = 0; i < N; i++) {
        const struct cm_token_claims *claims;
        cold.slots[0].used = 0; /* forget it: every round verifies */
        cr_assert(token_check(&cold, keys, rv, t, NOW, &claims) == TOKEN_OK);
    }
    verify_us = (now_us() - t0) / N;
    cr_assert(eq(int, check(t, NOW), TOKEN_OK));
    t0 = now_us();
    for (int i = 0; i < N * 10; i++)
        cr_assert(check(t, NOW) == TOKEN_OK);
    hit_us = (now_us() - t0) / (N * 10);
    fprintf(stderr, "token check (%zu-byte token): verify %.2f us, cache hit %.2f us (%.0fx)\n",
            strlen(t), verify_us, hit_us, verify_us / hit_us);
    cr_assert(lt(dbl, hit_us * 5, verify_us), "verify %.2f us, hit %.2f us", verify_us, hit_us);
    token_cache_release(&cold);
    free(t);
}

/* --- the background threads, without NATS: they retry and stop promptly --- */

Test(token_keys, the_fetcher_retries_without_nats_and_stops_promptly)
{
    static volatile sig_atomic_t stop;
    struct token_keys *k = token_keys_new();
    unsigned char out[CM_TOKEN_PK_BYTES];
    double t0;

    cr_assert(eq(int, token_keys_start(k, NULL, &stop), CM_OK));
    usleep(150 * 1000);
    token_keys_want_refresh(k);
    cr_assert(eq(int, token_keys_lookup(k, "k1", out), TOKEN_KEYS_NOT_LOADED));
    t0 = now_us();
    token_keys_stop(k);
    cr_assert(lt(dbl, now_us() - t0, 500000.0), "stopped in %.0f us", now_us() - t0);
    token_keys_free(k);
}

Test(revocations, the_follower_retries_without_nats_and_stops_promptly)
{
    static volatile sig_atomic_t stop;
    double t0;

    cr_assert(eq(int, revocations_start(rv, NULL, &stop), CM_OK));
    usleep(150 * 1000);
    cr_assert(eq(int, revocations_following(rv), 0));
    t0 = now_us();
    revocations_stop(rv);
    cr_assert(lt(dbl, now_us() - t0, 500000.0), "stopped in %.0f us", now_us() - t0);
}
