/* handlers_attachments.c: attachment.save, attachment.get and
 * attachment.content (handlers_attachments.h). An upload is read as a
 * stream (cm_body_next) through the multipart reader into 256 KiB rows of
 * one transaction, hashed (SHA-256) and sniffed on the way, so messaging
 * holds one row of it at a time; a download streams the rows back
 * (cm_stream_write). Callers: API clients, within their organization;
 * persons read the attachments of their threads' messages. */
#include "handlers_attachments.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attachment.h"
#include "cm_alloc.h"
#include "cm_multipart.h"
#include "cm_stream.h"

#define FIELD "attachment" /* the seed's form parameter */
#define SNIFF_BYTES 512

/* An upload in progress: the multipart callbacks' context. */
struct upload {
    struct cm_req *rq;
    PGconn *pg;
    struct attachment_rec rec;
    int in_file, done;
    crypto_hash_sha256_state sha;
    uint8_t head[SNIFF_BYTES];
    size_t head_len;
    uint8_t *row; /* ATTACHMENT_ROW_BYTES */
    size_t row_len;
    int seq;
    cm_err err; /* a store error, or a refusal recorded through cm_fail */
};

/* --- access --- */

/* The caller's organization: API clients only (the edge already refuses
 * everyone else on /api), with an organization. */
static cm_err caller_org(struct cm_req *rq, const char **org)
{
    const Envelope__Principal *p = rq->http->principal;

    if (!p || p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT)
        return cm_fail(rq, CM_EUNAUTH, "API client credentials required");
    if (!p->organization_id || !p->organization_id[0])
        return cm_fail(rq, CM_EDENIED, "not authorized");
    *org = p->organization_id;
    return CM_OK;
}

/* --- attachment.save --- */

static int flush_row(struct upload *u)
{
    if (u->row_len == 0)
        return 0;
    u->err = store_attachment_row(u->pg, u->rec.id, u->seq++, u->row, u->row_len);
    u->row_len = 0;
    if (u->err != CM_OK)
        cm_fail(u->rq, u->err, "attachment could not be stored");
    return u->err != CM_OK;
}

static int on_part(void *ctx, const char *name, const char *filename, const char *ctype)
{
    struct upload *u = ctx;
    (void)ctype; /* the client's word; the content decides (attachment_sniff) */

    if (strcmp(name, FIELD))
        return 0; /* other fields are read past */
    if (u->done) {
        u->err = cm_fail(u->rq, CM_EINVAL, "only one attachment per request");
        return 1;
    }
    if (strlen(filename) > 255) {
        u->err = cm_fail(u->rq, CM_EINVAL, "attachment file name longer than 255 bytes");
        return 1;
    }
    snprintf(u->rec.name, sizeof u->rec.name, "%s", filename[0] ? filename : FIELD);
    u->in_file = 1;
    return 0;
}

static int on_data(void *ctx, const uint8_t *p, size_t n)
{
    struct upload *u = ctx;

    if (!u->in_file)
        return 0;
    if (u->head_len < SNIFF_BYTES) {
        size_t k = SNIFF_BYTES - u->head_len < n ? SNIFF_BYTES - u->head_len : n;
        memcpy(u->head + u->head_len, p, k);
        u->head_len += k;
    }
    crypto_hash_sha256_update(&u->sha, p, n);
    u->rec.size += (int64_t)n;
    while (n > 0) {
        size_t k = ATTACHMENT_ROW_BYTES - u->row_len < n ? ATTACHMENT_ROW_BYTES - u->row_len : n;
        memcpy(u->row + u->row_len, p, k);
        u->row_len += k;
        p += k;
        n -= k;
        if (u->row_len == ATTACHMENT_ROW_BYTES && flush_row(u))
            return 1;
    }
    return 0;
}

static int on_part_end(void *ctx)
{
    struct upload *u = ctx;

    if (u->in_file) {
        u->in_file = 0;
        u->done = 1;
    }
    return 0;
}

/* A new record id: 24 random hex digits, as the seed's. */
static void new_id(char id[25])
{
    unsigned char b[12];

    randombytes_buf(b, sizeof b);
    sodium_bin2hex(id, 25, b, sizeof b);
}

/* Reads the body into the open transaction. CM_OK once the attachment part
 * is complete and the body ended properly. */
static cm_err read_upload(struct cm_req *rq, struct upload *u, const char *boundary)
{
    struct cm_multipart_cb cb = {on_part, on_data, on_part_end, u};
    struct cm_multipart *mp = cm_multipart_new(boundary, &cb);
    char why[128];
    const uint8_t *piece;
    size_t len;
    cm_err err;

    while ((err = cm_body_next(rq, &piece, &len)) == CM_OK && len > 0) {
        if (cm_multipart_feed(mp, piece, len, why, sizeof why) != CM_OK) {
            err = u->err != CM_OK ? u->err : cm_fail(rq, CM_EINVAL, "%s", why);
            break;
        }
    }
    if (err == CM_OK && cm_multipart_finish(mp, why, sizeof why) != CM_OK)
        err = cm_fail(rq, CM_EINVAL, "%s", why);
    if (err == CM_OK && !u->done)
        err = cm_fail(rq, CM_EINVAL, "missing the \"" FIELD "\" file field");
    if (err == CM_OK && flush_row(u))
        err = u->err;
    cm_multipart_free(mp);
    return err;
}

cm_err attachment_save(struct cm_req *rq, struct cm_resp *out)
{
    struct upload u = {0};
    unsigned char digest[crypto_hash_sha256_BYTES];
    char boundary[CM_MULTIPART_MAX_BOUNDARY + 1];
    const char *org = NULL;
    cm_err err;

    /* input */
    if (cm_multipart_boundary(cm_req_header(rq, "content-type"), boundary, sizeof boundary) !=
        CM_OK)
        return cm_fail(rq, CM_EINVAL, "Content-Type must be multipart/form-data with a boundary");
    if (cm_body_length(rq) > (uint64_t)rq->w->cfg->max_upload_bytes)
        return cm_fail(rq, CM_ETOOBIG, "attachment larger than %d bytes",
                       rq->w->cfg->max_upload_bytes);
    /* access */
    if ((err = caller_org(rq, &org)) != CM_OK)
        return err;
    /* store */
    u.rq = rq;
    u.pg = rq->w->pg;
    u.row = cm_xmalloc(ATTACHMENT_ROW_BYTES);
    new_id(u.rec.id);
    snprintf(u.rec.organization_id, sizeof u.rec.organization_id, "%s", org);
    snprintf(u.rec.user_id, sizeof u.rec.user_id, "%s", rq->http->principal->user_id);
    crypto_hash_sha256_init(&u.sha);
    err = store_attachment_begin(u.pg);
    if (err == CM_OK)
        err = read_upload(rq, &u, boundary);
    if (err == CM_OK) {
        crypto_hash_sha256_final(&u.sha, digest);
        sodium_bin2hex(u.rec.sha256, sizeof u.rec.sha256, digest, sizeof digest);
        snprintf(u.rec.mime_type, sizeof u.rec.mime_type, "%s",
                 attachment_sniff(u.head, u.head_len));
        err = store_attachment_commit(u.pg, &u.rec);
        if (err != CM_OK)
            cm_fail(rq, err, "attachment could not be stored");
    } else {
        store_attachment_abort(u.pg);
    }
    free(u.row);
    if (err != CM_OK)
        return err;
    /* render */
    cm_resp_json(out, rq, 200, attachment_json(&u.rec));
    return CM_OK;
}

/* --- attachment.get and attachment.content --- */

/* The caller's attachment named by the path: an API client's of its
 * organization, a person's attached to a message of one of their threads.
 * "invalid id" (the seed's message) for a malformed id, and for one that
 * does not exist or the caller may not see (404: existence is not
 * shown). */
static cm_err find(struct cm_req *rq, struct attachment_rec *rec)
{
    const Envelope__Principal *p = rq->http->principal;
    const char *id = cm_req_param(rq, "attachment_id");
    const char *org = NULL;
    cm_err err;

    if (p && p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && p->user_id && p->user_id[0]) {
        if (!id || !attachment_id_valid(id))
            return cm_fail(rq, CM_EINVAL, "invalid id");
        err = store_attachment_get_for_person(rq->w->pg, p->user_id, id, rec);
    } else {
        if ((err = caller_org(rq, &org)) != CM_OK)
            return err;
        if (!id || !attachment_id_valid(id))
            return cm_fail(rq, CM_EINVAL, "invalid id");
        err = store_attachment_get(rq->w->pg, org, id, rec);
    }
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "invalid id");
    return err;
}

cm_err attachment_get(struct cm_req *rq, struct cm_resp *out)
{
    struct attachment_rec rec;
    cm_err err = find(rq, &rec);

    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, attachment_json(&rec));
    return CM_OK;
}

static cm_err write_row(void *ctx, const uint8_t *data, size_t len)
{
    return cm_stream_write(ctx, data, len);
}

cm_err attachment_content(struct cm_req *rq, struct cm_resp *out)
{
    struct attachment_rec rec;
    cm_err err = find(rq, &rec);

    (void)out; /* the answer is the stream */
    if (err == CM_OK)
        err = cm_stream_begin(rq, 200, rec.mime_type);
    if (err != CM_OK)
        return err;
    /* the status is out: a failure from here on cuts the stream short */
    return store_attachment_each_row(rq->w->pg, rec.id, write_row, rq);
}
