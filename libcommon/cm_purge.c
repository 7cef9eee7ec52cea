/* cm_purge.c: the per-service purge step of the deletion saga (cm_purge.h). */
#include "cm_purge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "cm_pg.h"
#include "privacy.pb-c.h"

#define NEEDLES_MAX 8
#define NEEDLE_MAX 320

char *cm_purge_text_array(char *const *needles, size_t n)
{
    size_t cap = 3;
    char *s, *p;

    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(needles[i]) + 3;
    s = p = cm_xmalloc(cap);
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *c = needles[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                *p++ = '\\';
            *p++ = *c;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return s;
}

size_t cm_purge_field(const char *needle, unsigned char *out, size_t cap)
{
    size_t len = strlen(needle), n = 0, v = len;

    if (len >= 16384 || cap < len + 2)
        return 0;
    do {
        out[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    memcpy(out + n, needle, len);
    return n + len;
}

/* needles as a Postgres bytea[] literal of their protobuf field forms
 * (cm_purge_field), empty needles left out. Caller frees. */
static char *field_array(char *const *needles, size_t n)
{
    size_t cap = 3;
    char *s, *p;

    for (size_t i = 0; i < n; i++)
        cap += 2 * (strlen(needles[i]) + 2) + 8;
    s = p = cm_xmalloc(cap);
    *p++ = '{';
    for (size_t i = 0, k = 0; i < n; i++) {
        unsigned char f[NEEDLE_MAX + 2];
        size_t len = needles[i][0] ? cm_purge_field(needles[i], f, sizeof f) : 0;
        if (!len)
            continue;
        p += sprintf(p, "%s\"\\\\x", k++ ? "," : "");
        for (size_t j = 0; j < len; j++)
            p += sprintf(p, "%02x", f[j]);
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return s;
}

/* The outbox rule: deletes sent rows holding a needle as a field;
 * *out_done = 0 while unsent ones do. */
static cm_err purge_outbox(PGconn *pg, const char *fields, int *out_done)
{
    const char *p[1] = {fields};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND EXISTS "
                             "(SELECT 1 FROM unnest($1::bytea[]) f WHERE position(f IN payload) "
                             "> 0)",
                             1, p, &res);
    if (err != CM_OK)
        return err;
    if (atol(PQgetvalue(res, 0, 0)) > 0)
        *out_done = 0;
    PQclear(res);
    return cm_pg_command(pg,
                         "DELETE FROM outbox WHERE sent_at IS NOT NULL AND EXISTS "
                         "(SELECT 1 FROM unnest($1::bytea[]) f WHERE position(f IN payload) > 0)",
                         1, p, NULL);
}

/* One statement of a service's table, $1 uuid and $2 text[] typed (so
 * that a statement may use either or both). */
static cm_err run_statement(PGconn *pg, const char *sql, const char *user_id, const char *needles)
{
    static const Oid types[2] = {2950 /* uuid */, 1009 /* text[] */};
    const char *p[2] = {user_id, needles};
    PGresult *res = cm_pg_exec_params(pg, sql, 2, types, p, NULL, NULL, 0);
    cm_err err = cm_pg_result_err(res);
    PQclear(res);
    return err;
}

cm_err cm_purge_serve(struct cm_worker *w, const Envelope__RpcRequest *req,
                      const char *const *statements, cm_purge_hook hook, uint8_t **out_payload,
                      size_t *out_len)
{
    Privacy__PurgeRequest *in =
        privacy__purge_request__unpack(NULL, req->payload.len, req->payload.data);
    Privacy__PurgeReply reply = PRIVACY__PURGE_REPLY__INIT;
    char *needles = NULL, *fields = NULL;
    int done = 1;
    cm_err err = CM_OK;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a PurgeRequest");
    if (!cm_uuid_valid(in->user_id) || in->n_needles > NEEDLES_MAX)
        err = cm_rpc_fail(w, CM_EINVAL, "user_id must be a uuid, at most %d needles",
                          NEEDLES_MAX);
    for (size_t i = 0; err == CM_OK && i < in->n_needles; i++)
        if (strlen(in->needles[i]) > NEEDLE_MAX)
            err = cm_rpc_fail(w, CM_EINVAL, "needles[%zu] is too long", i);
    if (err == CM_OK) {
        needles = cm_purge_text_array(in->needles, in->n_needles);
        fields = field_array(in->needles, in->n_needles);
        err = cm_pg_begin(w->pg);
    }
    if (err == CM_OK && hook)
        err = hook(w, in->user_id, &done);
    for (size_t i = 0; err == CM_OK && statements && statements[i]; i++)
        err = run_statement(w->pg, statements[i], in->user_id, needles);
    if (err == CM_OK)
        err = purge_outbox(w->pg, fields, &done);
    if (needles)
        err = cm_pg_end(w->pg, err);
    if (err == CM_OK) {
        reply.done = done;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    free(needles);
    free(fields);
    privacy__purge_request__free_unpacked(in, NULL);
    return err;
}
