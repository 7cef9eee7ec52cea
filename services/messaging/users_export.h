/* users_export.h: the rows of GET admin/users (users_export.c, pure): one
 * user of identity's ExportUsers as a CSV line or a JSON line, with the
 * clinical profile columns of messaging beside identity's account columns. */
#ifndef MESSAGING_USERS_EXPORT_H
#define MESSAGING_USERS_EXPORT_H

#include <stddef.h>

#include "identity.pb-c.h"

enum users_export_format {
    USERS_EXPORT_CSV,
    USERS_EXPORT_JSON, /* JSON lines (jsonlines.org) */
};

/* The clinical profile of a user (messaging's), all "" when it has none. */
struct users_export_profile {
    const char *title;
    const char *specialty;
    const char *services; /* pipe-delimited */
    const char *pager_number;
};

/* 1 when u is a member of organization org (then *roles, when not NULL,
 * is its membership there: borrowed from u). */
int users_export_member(const Identity__ExportedUser *u, const char *org,
                        const Identity__ExportedMembership **roles);

/* The CSV header line (static, "\n"-terminated). */
const char *users_export_csv_header(void);

/* u (a member of ou, membership m) with profile p (NULL: none) as one line
 * in format, "\n"-terminated; *out_len set. Caller frees. */
char *users_export_row(enum users_export_format format, const Identity__ExportedUser *u,
                       const char *ou, const Identity__ExportedMembership *m,
                       const struct users_export_profile *p, size_t *out_len);

#endif
