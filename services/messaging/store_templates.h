/* store_templates.h: messaging's templates table: organizations' email
 * and SMS templates (#81-#84, #93-#96) and the pick of one for a message
 * (messaging.rpc.Deliver). SQL lives here only; callers pass and get
 * records. */
#ifndef MESSAGING_STORE_TEMPLATES_H
#define MESSAGING_STORE_TEMPLATES_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* One template; strings borrowed from the list that holds it ("" for
 * NULL). */
struct template_rec {
    const char *id, *channel, *organization_id, *theme_id, *type, *locale, *format, *subject,
        *support_email, *support_email_title, *body, *created_at, *updated_at;
};

/* Rows of a read; store_template_list_free releases them. */
struct template_list {
    size_t n;
    struct template_rec *items;
    char *mem;
};

/* What a list may narrow to; "" (or 0) = any. organization_id "" with
 * all_orgs 0 lists nothing. */
struct template_filter {
    const char *channel; /* required */
    const char *organization_id;
    int all_orgs; /* platform admin without organization-id */
    const char *theme_id, *type, *locale, *format;
    long limit, offset;
};

/* Fields to write; NULL = unchanged (update) or default (insert). */
struct template_fields {
    const char *organization_id, *theme_id, *type, *locale, *format, *subject, *support_email,
        *support_email_title, *body;
};

void store_template_list_free(struct template_list *l);

cm_err store_templates_list(PGconn *pg, const struct template_filter *f, struct template_list *out);

/* Template id of channel into *out (one item); CM_ENOTFOUND when none. */
cm_err store_template_get(PGconn *pg, const char *channel, const char *id,
                          struct template_list *out);

/* Inserts a template of channel with a new id; the row to *out.
 * CM_ECONFLICT when the organization already has one for that theme, type,
 * locale and format. */
cm_err store_template_insert(PGconn *pg, const char *channel, const char *id,
                             const struct template_fields *f, struct template_list *out);

/* Changes the given fields of template id; the row to *out. CM_ENOTFOUND,
 * CM_ECONFLICT as above. */
cm_err store_template_update(PGconn *pg, const char *channel, const char *id,
                             const struct template_fields *f, struct template_list *out);

/* The organization's template for a message: of channel and type, theme
 * theme_id or none (theme first), locale or else en_US (locale first),
 * HTML before text. CM_ENOTFOUND when the organization has none. */
cm_err store_template_pick(PGconn *pg, const char *channel, const char *organization_id,
                           const char *theme_id, const char *type, const char *locale,
                           struct template_list *out);

#endif
