/* attachment.h: attachments of the clinical messaging API (seed 001
 * "attachment_get", "attachment_save", and the download of the content):
 * the record, its store (store_attachments.c, content as 256 KiB rows in
 * Postgres), its document (attachment_json.c) and the content sniffing that
 * names its mime_type. */
#ifndef MESSAGING_ATTACHMENT_H
#define MESSAGING_ATTACHMENT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define ATTACHMENT_ROW_BYTES (256 * 1024) /* content bytes per attachment_chunks row */

struct attachment_rec {
    char id[25]; /* 24 hex digits, as the seed's ids */
    char organization_id[64];
    char user_id[128];
    char name[256];
    char mime_type[128];
    int64_t size;
    char sha256[65];      /* hex */
    char time_created[40]; /* "2015-04-07T05:46:17.510801" (UTC) */
};

/* --- store_attachments.c: the only SQL of attachments --- */

/* Opens the upload's transaction. */
cm_err store_attachment_begin(PGconn *pg);
/* Writes content row seq of attachment id (inside the transaction). */
cm_err store_attachment_row(PGconn *pg, const char *id, int seq, const uint8_t *data, size_t len);
/* Inserts r (all but time_created) with its attachment.created event and
 * commits; on CM_OK r->time_created is filled. On error the transaction is
 * rolled back. */
cm_err store_attachment_commit(PGconn *pg, struct attachment_rec *r);
/* Rolls the upload back (error paths). */
void store_attachment_abort(PGconn *pg);
/* The attachment id of organization org into *out; CM_ENOTFOUND when there
 * is none (or it is another organization's). */
cm_err store_attachment_get(PGconn *pg, const char *org, const char *id,
                            struct attachment_rec *out);
/* The attachment id as a person (account user_id) may see it: attached to
 * a message of a thread the person takes part in (of the attachment's own
 * organization). CM_ENOTFOUND otherwise. */
cm_err store_attachment_get_for_person(PGconn *pg, const char *user_id, const char *id,
                                       struct attachment_rec *out);
/* The ids of ids_json (a JSON array of strings) that are no attachment of
 * organization org, as a JSON array text in their order into *out_json
 * ("[]" when all are known; caller frees). */
cm_err store_attachments_unknown(PGconn *pg, const char *org, const char *ids_json,
                                 char **out_json);
/* Calls each(ctx, data, len) for the content rows of id in order, reading one
 * row at a time; stops at the first non-OK return of each and returns it. */
cm_err store_attachment_each_row(PGconn *pg, const char *id,
                                 cm_err (*each)(void *ctx, const uint8_t *data, size_t len),
                                 void *ctx);

/* --- attachment_json.c: pure --- */

/* {"status": "ok", "attachment": {id, mime_type, name, size, time_created,
 * user_id}} as the seed shows it. New reference. */
json_t *attachment_json(const struct attachment_rec *r);

/* The mime type of content starting with head[0..n) (n up to 512 is
 * plenty): by its magic numbers (JPEG, PNG, GIF, PDF, ZIP, ...), text/plain
 * for valid UTF-8 without control bytes, else application/octet-stream.
 * Static string. */
const char *attachment_sniff(const uint8_t *head, size_t n);

/* 1 when id is 24 lower-case hex digits. */
int attachment_id_valid(const char *id);

#endif
