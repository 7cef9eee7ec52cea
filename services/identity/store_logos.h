/* store_logos.h: identity's SQL for logo uploads and organization logos
 * (themes.h). Image bytes go in and out as binary parameters. */
#ifndef IDENTITY_STORE_LOGOS_H
#define IDENTITY_STORE_LOGOS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

/* One upload (no bytes). */
struct logo_upload {
    char id[40];
    char content_type[32];
    int64_t expires_at; /* unix seconds */
    int expired;
    int processed;
};

#define LOGO_PENDING_MAX 50 /* uploads of one organization not yet processed */

/* A new upload target of org for content_type and filename by user ("" none),
 * usable for ttl_s seconds; into *out. First removes the organization's
 * processed uploads and those expired over an hour ago; CM_ELIMIT when
 * LOGO_PENDING_MAX others still wait. */
cm_err store_logo_upload_new(PGconn *pg, const char *org, const char *content_type,
                             const char *filename, const char *user, int ttl_s,
                             struct logo_upload *out);

/* Upload id of org into *out; CM_ENOTFOUND. */
cm_err store_logo_upload_get(PGconn *pg, const char *org, const char *id, struct logo_upload *out);

/* Stores data (len bytes) as the bytes of upload id (replacing any). */
cm_err store_logo_upload_put(PGconn *pg, const char *id, const void *data, size_t len);

/* The latest unprocessed upload of org with bytes: *out and its bytes
 * (*data, caller free; *len). CM_ENOTFOUND when there is none. */
cm_err store_logo_upload_latest(PGconn *pg, const char *org, struct logo_upload *out,
                                unsigned char **data, size_t *len);

/* Stores png (len bytes, w x h) as org's logo, marks upload processed and
 * sets the organization's logo_url (logo-ready-to-use), in one statement. */
cm_err store_logo_save(PGconn *pg, const char *org, const char *upload, const void *png, size_t len,
                       int w, int h);

/* The logo of org (*png, caller free; *len); CM_ENOTFOUND when none. */
cm_err store_logo_get(PGconn *pg, const char *org, unsigned char **png, size_t *len);

#endif
