/* store_themes.h: identity's SQL for organization themes (#97-#100). */
#ifndef IDENTITY_STORE_THEMES_H
#define IDENTITY_STORE_THEMES_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* One theme ("" for SQL NULL; owned by the list). */
struct theme_rec {
    const char *id;
    const char *domain;
    const char *support_email;
    const char *support_email_name;
    const char *created_time;
    const char *last_modified_time;
    const char *created_by_id;
    const char *created_by_first_name;
    const char *created_by_last_name;
    const char *modified_by_id;
    const char *modified_by_first_name;
    const char *modified_by_last_name;
    int is_active;
};

struct theme_list {
    size_t n;
    struct theme_rec *items;
    char *mem;
};

void store_theme_list_free(struct theme_list *l);

/* A list request (#97); strings "" when not given. */
struct theme_query {
    char domain[1024];
    char support_email[1024];
    char modified_before[40];
    char modified_after[40];
    int include_inactive;
    long limit;
    long offset;
};

cm_err store_themes_list(PGconn *pg, const struct theme_query *q, struct theme_list *out);

/* Theme id; CM_ENOTFOUND. */
cm_err store_theme_get(PGconn *pg, const char *id, struct theme_list *out);

/* Fields of create and update; NULL / -1 = not given. */
struct theme_fields {
    const char *domain;
    const char *support_email;
    const char *support_email_name;
    int is_active;
};

/* New theme by user; to *out. */
cm_err store_theme_create(PGconn *pg, const struct theme_fields *f, const char *user,
                          struct theme_list *out);

/* Applies f to theme id by user; to *out; CM_ENOTFOUND. */
cm_err store_theme_update(PGconn *pg, const char *id, const struct theme_fields *f,
                          const char *user, struct theme_list *out);

#endif
