/* users_export.c: the rows of GET admin/users as CSV (RFC 4180: fields with
 * a comma, quote or line break are quoted, quotes doubled) or JSON lines
 * (users_export.h). Pure. */
#include "users_export.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

#define COLUMNS                                                                                    \
    "id,user_id,email,first_name,last_name,account_status,primary_ou,roles,title,specialty,"     \
    "services,pager_number\n"

int users_export_member(const Identity__ExportedUser *u, const char *org,
                        const Identity__ExportedMembership **roles)
{
    for (size_t i = 0; i < u->n_memberships; i++)
        if (!strcmp(u->memberships[i]->organization_id, org)) {
            if (roles)
                *roles = u->memberships[i];
            return 1;
        }
    return 0;
}

const char *users_export_csv_header(void)
{
    return COLUMNS;
}

/* A growing line. */
struct line {
    char *p;
    size_t len, cap;
};

static void put(struct line *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        l->cap = (l->len + n + 1) * 2;
        l->p = cm_xrealloc(l->p, l->cap);
    }
    memcpy(l->p + l->len, s, n);
    l->len += n;
    l->p[l->len] = '\0';
}

/* One CSV field, quoted when it must be, then sep. */
static void field(struct line *l, const char *s, char sep)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        put(l, "\"", 1);
        for (const char *q = s; *q; q++) {
            put(l, q, 1);
            if (*q == '"')
                put(l, "\"", 1); /* doubled */
        }
        put(l, "\"", 1);
    } else {
        put(l, s, strlen(s));
    }
    put(l, &sep, 1);
}

/* The role names of m joined with '|' into a new string (caller frees). */
static char *roles_joined(const Identity__ExportedMembership *m)
{
    struct line l = {0};

    put(&l, "", 0);
    for (size_t i = 0; m && i < m->n_role_names; i++) {
        if (i)
            put(&l, "|", 1);
        put(&l, m->role_names[i], strlen(m->role_names[i]));
    }
    return l.p;
}

char *users_export_row(enum users_export_format format, const Identity__ExportedUser *u,
                       const char *ou, const Identity__ExportedMembership *m,
                       const struct users_export_profile *p, size_t *out_len)
{
    static const struct users_export_profile none = {"", "", "", ""};
    const char *status = u->enabled ? "active" : "inactive";
    char *roles = roles_joined(m);
    struct line l = {0};

    p = p ? p : &none;
    if (format == USERS_EXPORT_CSV) {
        field(&l, u->id, ',');
        field(&l, u->username, ',');
        field(&l, u->email, ',');
        field(&l, u->first_name, ',');
        field(&l, u->last_name, ',');
        field(&l, status, ',');
        field(&l, ou, ',');
        field(&l, roles, ',');
        field(&l, p->title, ',');
        field(&l, p->specialty, ',');
        field(&l, p->services, ',');
        field(&l, p->pager_number, '\n');
    } else {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                              "id", u->id, "user_id", u->username, "email", u->email,
                              "first_name", u->first_name, "last_name", u->last_name,
                              "account_status", status, "primary_ou", ou, "roles", roles,
                              "title", p->title, "specialty", p->specialty, "services",
                              p->services, "pager_number", p->pager_number);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        put(&l, s ? s : "{}", s ? strlen(s) : 2);
        put(&l, "\n", 1);
        free(s);
    }
    free(roles);
    *out_len = l.len;
    return l.p;
}
