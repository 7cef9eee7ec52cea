/* cm_idempotency.c: Idempotency-Key claims and stored answers in the
 * service's idempotency_keys table (cm_idempotency.h). */
#include "cm_idempotency.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_http.h"
#include "cm_log.h"
#include "cm_pg.h"
#include "cm_service.h"
#include "cm_time.h"

#define PURGE_EVERY_S 600.0

const char cm_idem_ddl[] =
    "CREATE TABLE idempotency_keys (\n"
    "    id bytea PRIMARY KEY,          -- BLAKE2b of the caller's scope and the key\n"
    "    fingerprint bytea NOT NULL,    -- BLAKE2b of method, path, query and body\n"
    "    status int,                    -- NULL while the first request runs\n"
    "    answer bytea,                  -- nonce || secretbox(content type NUL body)\n"
    "    created_at timestamptz NOT NULL DEFAULT now(),\n"
    "    claimed_at timestamptz NOT NULL DEFAULT now()\n"
    ");\n"
    "CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);\n";

void cm_idem_answer_release(struct cm_idem_answer *a)
{
    free(a->content_type);
    free(a->body);
    a->content_type = NULL;
    a->body = NULL;
}

int cm_idem_key_valid(const char *key)
{
    size_t n = key ? strlen(key) : 0;

    if (n == 0 || n > CM_IDEM_KEY_MAX || key[0] == ' ' || key[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e)
            return 0;
    return 1;
}

void cm_idem_scope(const Envelope__Principal *p, char *out, size_t cap)
{
    const char *imp = p && p->impersonator_id ? p->impersonator_id : "";

    switch (p ? p->kind : ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_ANONYMOUS) {
    case ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER:
        snprintf(out, cap, "user:%s%s%s", p->user_id, imp[0] ? "/by:" : "", imp);
        break;
    case ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT:
        snprintf(out, cap, "client:%s", p->client_id && p->client_id[0] ? p->client_id
                                                                         : p->user_id);
        break;
    case ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_SERVICE:
        snprintf(out, cap, "service:%s", p->user_id);
        break;
    default:
        snprintf(out, cap, "anonymous");
        break;
    }
}

/* BLAKE2b-256 of label, then each of the n strings with its NUL (so that
 * ("ab","c") and ("a","bc") differ). */
static void hash_strings(unsigned char out[32], const char *label, const char *const *s, int n)
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)label, strlen(label) + 1);
    for (int i = 0; i < n; i++)
        crypto_generichash_update(&st, (const unsigned char *)(s[i] ? s[i] : ""),
                                  strlen(s[i] ? s[i] : "") + 1);
    crypto_generichash_final(&st, out, 32);
}

void cm_idem_init(struct cm_idem *c, const char *scope, const char *key, const char *method,
                  const char *path, const char *query, const void *body, size_t len)
{
    const char *sk[2] = {scope, key}, *req[3] = {method, path, query};
    crypto_generichash_state st;
    unsigned char head[32];

    if (sodium_init() < 0)
        cm_error("idempotency: libsodium did not initialise");
    memset(c, 0, sizeof *c);
    hash_strings(c->id, "cm-idempotency-id-v1", sk, 2);
    hash_strings(c->box_key, "cm-idempotency-answer-v1", sk, 2);
    hash_strings(head, "cm-idempotency-request-v1", req, 3);
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, head, sizeof head);
    if (len)
        crypto_generichash_update(&st, body, len);
    crypto_generichash_final(&st, c->fingerprint, 32);
}

static void to_hex(char *out, const unsigned char *b, size_t n)
{
    sodium_bin2hex(out, n * 2 + 1, b, n);
}

/* Deletes rows older than 24 h, at most every PURGE_EVERY_S on this thread. */
static void purge_old(PGconn *pg)
{
    static _Thread_local double next_s; /* this thread's schedule, not shared */
    PGresult *res;

    if (cm_now_s() < next_s)
        return;
    next_s = cm_now_s() + PURGE_EVERY_S;
    res = cm_pg_exec_params(pg,
                            "DELETE FROM idempotency_keys WHERE created_at < now() - "
                            "interval '24 hours'",
                            0, NULL, NULL, NULL, NULL, 0);
    if (cm_pg_result_err(res) == CM_OK && atoi(PQcmdTuples(res)) > 0)
        cm_info("idempotency: purged %s keys older than 24 h", PQcmdTuples(res));
    PQclear(res);
}

/* Decrypts a stored answer into out; CM_EINTERNAL when it does not open. */
static cm_err open_answer(const struct cm_idem *c, int status, const unsigned char *blob,
                          size_t n, struct cm_idem_answer *out)
{
    size_t plen, clen;
    unsigned char *plain;

    if (n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return CM_EINTERNAL;
    plen = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    plain = cm_xmalloc(plen + 1);
    if (crypto_secretbox_open_easy(plain, blob + crypto_secretbox_NONCEBYTES,
                                   n - crypto_secretbox_NONCEBYTES, blob, c->box_key) != 0) {
        free(plain);
        return CM_EINTERNAL;
    }
    plain[plen] = '\0';
    clen = strnlen((const char *)plain, plen);
    if (clen == plen) {
        free(plain);
        return CM_EINTERNAL;
    }
    out->status = status;
    out->content_type = cm_xstrdup((const char *)plain);
    out->len = plen - clen - 1;
    out->body = cm_xmalloc(out->len + 1);
    memcpy(out->body, plain + clen + 1, out->len);
    out->body[out->len] = '\0';
    free(plain);
    return CM_OK;
}

/* Takes over the row of a key whose claim expired (24 h) or went stale
 * (a first request that never stored its answer). 1 when taken. */
static int take_over(PGconn *pg, const char *id_hex, const char *fp_hex, const char *stale)
{
    const char *params[3] = {id_hex, fp_hex, stale};
    PGresult *res = NULL;
    int taken;

    if (cm_pg_query(pg,
                    "UPDATE idempotency_keys SET fingerprint = decode($2, 'hex'), status = NULL, "
                    "answer = NULL, created_at = now(), claimed_at = now() "
                    "WHERE id = decode($1, 'hex') AND (created_at < now() - interval '24 hours' "
                    "OR (status IS NULL AND claimed_at < now() - make_interval(secs => $3::int))) "
                    "RETURNING 1",
                    3, params, &res) != CM_OK)
        return 0;
    taken = PQntuples(res) == 1;
    PQclear(res);
    return taken;
}

int cm_idem_stale_s(int request_timeout_ms)
{
    long s = request_timeout_ms > 0 ? (3L * request_timeout_ms + 999) / 1000 : CM_IDEM_STALE_S;
    return s < 5 ? 5 : s > CM_IDEM_STALE_S ? CM_IDEM_STALE_S : (int)s;
}

cm_err cm_idem_claim(PGconn *pg, struct cm_idem *c, enum cm_idem_state *state,
                     struct cm_idem_answer *out)
{
    char id_hex[65], fp_hex[65], stale[16];
    const char *params[3] = {id_hex, fp_hex, stale};
    PGresult *res = NULL;
    cm_err err;

    snprintf(stale, sizeof stale, "%d", c->stale_s > 0 ? c->stale_s : CM_IDEM_STALE_S);
    to_hex(id_hex, c->id, 32);
    to_hex(fp_hex, c->fingerprint, 32);
    purge_old(pg);
    /* one round trip: the claim, or the row that holds the key already
     * (none when another request claimed it in the same instant) */
    err = cm_pg_query(pg,
                      "WITH ins AS (INSERT INTO idempotency_keys (id, fingerprint) "
                      "VALUES (decode($1, 'hex'), decode($2, 'hex')) "
                      "ON CONFLICT (id) DO NOTHING RETURNING 1) "
                      "SELECT true AS claimed, NULL::bool AS same, NULL::int AS status, "
                      "NULL::bytea AS answer, NULL::bool AS expired FROM ins "
                      "UNION ALL "
                      "SELECT false, fingerprint = decode($2, 'hex'), status, answer, "
                      "created_at < now() - interval '24 hours' OR "
                      "(status IS NULL AND claimed_at < now() - make_interval(secs => $3::int)) "
                      "FROM idempotency_keys WHERE id = decode($1, 'hex') "
                      "AND NOT EXISTS (SELECT 1 FROM ins)",
                      3, params, &res);
    if (err != CM_OK)
        return err;
    if (PQntuples(res) == 0) {
        *state = CM_IDEM_BUSY;
    } else if (PQgetvalue(res, 0, 0)[0] == 't') {
        *state = CM_IDEM_RUN;
    } else if (PQgetvalue(res, 0, 4)[0] == 't') {
        *state = take_over(pg, id_hex, fp_hex, stale) ? CM_IDEM_RUN : CM_IDEM_BUSY;
    } else if (PQgetvalue(res, 0, 1)[0] != 't') {
        *state = CM_IDEM_MISMATCH;
    } else if (PQgetisnull(res, 0, 2)) {
        *state = CM_IDEM_BUSY;
    } else {
        size_t n = 0;
        unsigned char *blob = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 3), &n);
        err = blob ? open_answer(c, atoi(PQgetvalue(res, 0, 2)), blob, n, out) : CM_ENOMEM;
        PQfreemem(blob);
        if (err != CM_OK)
            cm_error("idempotency: a stored answer does not open");
        *state = CM_IDEM_REPLAY;
    }
    PQclear(res);
    c->claimed = err == CM_OK && *state == CM_IDEM_RUN;
    return err;
}

/* Drops the claim so that a retry runs the handler again. */
static void release(PGconn *pg, const char *id_hex)
{
    const char *params[1] = {id_hex};
    PGresult *res = NULL;

    if (cm_pg_query(pg, "DELETE FROM idempotency_keys WHERE id = decode($1, 'hex') "
                        "AND status IS NULL",
                    1, params, &res) == CM_OK)
        PQclear(res);
}

void cm_idem_finish(PGconn *pg, struct cm_idem *c, int status, const char *content_type,
                    const char *body, size_t len)
{
    char id_hex[65], status_s[16];
    size_t clen = strlen(content_type ? content_type : ""), plen, n;
    unsigned char *plain, *blob;
    PGresult *res;

    if (!c->claimed)
        return;
    c->claimed = 0;
    to_hex(id_hex, c->id, 32);
    if (status >= 500 || status == 429 || len > CM_IDEM_ANSWER_MAX) {
        release(pg, id_hex);
        return;
    }
    plen = clen + 1 + len;
    plain = cm_xmalloc(plen);
    memcpy(plain, content_type ? content_type : "", clen + 1);
    if (len)
        memcpy(plain + clen + 1, body, len);
    n = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plen;
    blob = cm_xmalloc(n);
    randombytes_buf(blob, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(blob + crypto_secretbox_NONCEBYTES, plain, plen, blob, c->box_key);
    free(plain);
    snprintf(status_s, sizeof status_s, "%d", status);
    {
        const char *values[3] = {id_hex, status_s, (const char *)blob};
        const int lengths[3] = {0, 0, (int)n};
        const int formats[3] = {0, 0, 1};
        res = cm_pg_exec_params(pg,
                                "UPDATE idempotency_keys SET status = $2::int, answer = $3 "
                                "WHERE id = decode($1, 'hex')",
                                3, NULL, values, lengths, formats, 0);
    }
    if (cm_pg_result_err(res) != CM_OK) {
        cm_warn("idempotency: the answer could not be kept; the key is released");
        release(pg, id_hex);
    }
    PQclear(res);
    free(blob);
}

/* Sets out to an error of status in the request's surface style. */
static void answer_error(const struct cm_req *rq, struct cm_resp *out, int status,
                         const char *code, const char *detail)
{
    out->status = status;
    out->content_type = "application/json";
    out->body = cm_http_error_body(rq->http->surface, status, code, detail, NULL, &out->len);
}

/* The content type of the answer being replayed on this thread. */
static _Thread_local char replay_ctype[128];

int cm_idem_before(struct cm_req *rq, struct cm_idem *c, struct cm_resp *out, cm_err *err)
{
    const Envelope__HttpRequest *h = rq->http;
    const char *key = cm_req_header(rq, "idempotency-key");
    struct cm_idem_answer a = {0};
    enum cm_idem_state state;
    char scope[200];

    c->claimed = 0;
    *err = CM_OK;
    if (!key || !rq->w->pg ||
        (strcmp(h->method, "POST") && strcmp(h->method, "PUT") && strcmp(h->method, "PATCH")))
        return 0;
    if (!cm_idem_key_valid(key)) {
        *err = cm_fail(rq, CM_EINVAL, "Idempotency-Key must be 1 to %d printable characters",
                       CM_IDEM_KEY_MAX);
        return 1;
    }
    cm_idem_scope(h->principal, scope, sizeof scope);
    cm_idem_init(c, scope, key, h->method, h->path, h->query, h->body.data, h->body.len);
    c->stale_s = cm_idem_stale_s(rq->w->cfg ? rq->w->cfg->request_timeout_ms : 0);
    *err = cm_idem_claim(rq->w->pg, c, &state, &a);
    if (*err != CM_OK) {
        cm_fail(rq, CM_EUNAVAIL, "database unavailable, retry later");
        *err = CM_EUNAVAIL;
        return 1;
    }
    switch (state) {
    case CM_IDEM_RUN:
        return 0;
    case CM_IDEM_REPLAY:
        out->status = a.status;
        out->body = a.body; /* the response owns it now */
        out->len = a.len;
        /* cm_resp's content_type is not freed: this thread's copy lives
         * until its next replay, after the answer has been sent */
        snprintf(replay_ctype, sizeof replay_ctype, "%s", a.content_type);
        out->content_type = replay_ctype;
        free(a.content_type);
        cm_info("idempotency: answered %d again for a repeated Idempotency-Key", a.status);
        return 1;
    case CM_IDEM_MISMATCH:
        answer_error(rq, out, 422, "idempotency_key_reused",
                     "this Idempotency-Key was used for another request (method, path, query "
                     "or body differ); use a new key");
        return 1;
    case CM_IDEM_BUSY:
    default:
        rq->retry_after_s = 1; /* the first one answers, or its claim goes stale */
        answer_error(rq, out, 409, "idempotency_key_in_use",
                     "a request with this Idempotency-Key is still being handled; retry later");
        return 1;
    }
}

void cm_idem_after(struct cm_req *rq, struct cm_idem *c, const struct cm_resp *out)
{
    if (c->claimed)
        cm_idem_finish(rq->w->pg, c, out->status, out->content_type, out->body, out->len);
}
