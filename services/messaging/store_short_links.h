/* store_short_links.h: messaging's short_links table: URL shorteners
 * (#131-#134), the public redirect that counts, and the links SMS carry.
 * SQL lives here only; callers pass and get records. */
#ifndef MESSAGING_STORE_SHORT_LINKS_H
#define MESSAGING_STORE_SHORT_LINKS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

#define SHORT_CODE_LEN 8

/* One link; strings borrowed from the list ("" for NULL). */
struct short_link_rec {
    const char *id, *code, *organization_id, *scheme, *netloc, *full_path, *expires_at, *created_at,
        *redirect_url;
    long redirect_count;
};
struct short_link_list {
    size_t n;
    struct short_link_rec *items;
    char *mem;
};

/* Fields to write; NULL = unchanged (update) or default (insert); for
 * expires_at "" means none. */
struct short_link_fields {
    const char *organization_id, *scheme, *netloc, *full_path, *expires_at;
};

/* Inserts a link with a new id and a fresh random code (retried on the rare
 * code collision); the row to *out. */
cm_err store_short_link_insert(PGconn *pg, const struct short_link_fields *f,
                               struct short_link_list *out);

/* Link id into *out (one item); CM_ENOTFOUND. */
cm_err store_short_link_get(PGconn *pg, const char *id, struct short_link_list *out);

/* Links of organization_id ("" with all_orgs: every one), code "" = any,
 * newest first, at most limit. */
cm_err store_short_links_list(PGconn *pg, const char *organization_id, int all_orgs,
                              const char *code, long limit, struct short_link_list *out);

/* Changes the given fields of link id; the row to *out. CM_ENOTFOUND. */
cm_err store_short_link_update(PGconn *pg, const char *id, const struct short_link_fields *f,
                               struct short_link_list *out);

/* The target of code when it has not expired, counting the redirect, into
 * out (cap bytes); CM_ENOTFOUND otherwise. */
cm_err store_short_link_follow(PGconn *pg, const char *code, char *out, size_t cap);

void store_short_link_list_free(struct short_link_list *l);

#endif
