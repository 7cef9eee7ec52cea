/* store_clinical.h: identity's SQL for the clinical messaging API's typed
 * RPCs (clinical_*_rpc.c): organizations addressed as OUs by name (the
 * hierarchy is the name: "a:b" is a child of "a"), and accounts without a
 * password that messaging creates, reads and changes. Records only; no
 * PGresult leaves this file. */
#ifndef IDENTITY_STORE_CLINICAL_H
#define IDENTITY_STORE_CLINICAL_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* Most organizations or accounts one call answers. */
#define CLINICAL_MAX_ROWS 10000

struct clinical_org_rec {
    const char *id;
    const char *name;
};

struct clinical_org_list {
    size_t n;
    struct clinical_org_rec *items;
    char *mem;
};

/* Organizations whose name is in names_json or id in ids_json (JSON arrays
 * of strings, ids already checked as uuids), and with children their
 * descendants by name; name order. Release with store_clinical_list_free. */
cm_err store_clinical_orgs(PGconn *pg, const char *names_json, const char *ids_json, int children,
                           struct clinical_org_list *out);

/* An account found, with the organization asked about (org_id, org_name
 * and roles are "" / "[]" when none was). */
struct clinical_account_rec {
    const char *org_id;
    const char *org_name;
    const char *user_id; /* "" on the one row of an organization where nobody matched */
    const char *username;
    const char *email;
    const char *first_name;
    const char *last_name;
    const char *organization_id; /* the account's default organization */
    const char *created_at; /* "YYYY-MM-DDTHH:MM:SS.ffffff", UTC */
    const char *roles;      /* JSON array text: the role names in org_id */
    int enabled;
    int has_password;
};

struct clinical_account_list {
    size_t n;
    struct clinical_account_rec *items;
    char *mem;
};

/* What store_clinical_accounts looks for: accounts whose id is in ids_json
 * (a JSON array of uuids), whose username is in usernames_json or whose
 * email is in emails_json (case-insensitive; JSON arrays of strings); with
 * org_id (a uuid) or, when it is NULL, org_name (NULL: neither), only the
 * members of that organization. */
struct clinical_account_query {
    const char *org_id;
    const char *org_name;
    const char *ids_json;
    const char *usernames_json;
    const char *emails_json;
};

/* The accounts q asks for, username order, at most CLINICAL_MAX_ROWS.
 * Each kind of name is looked up through its own index. With an
 * organization: CM_ENOTFOUND when there is no such organization, otherwise
 * at least one row (user_id "" when nobody matched). Release with
 * store_clinical_list_free. */
cm_err store_clinical_accounts(PGconn *pg, const struct clinical_account_query *q,
                               struct clinical_account_list *out);

/* The fields of a change; a NULL string leaves the column as it is. */
struct clinical_account_change {
    const char *username, *email, *first_name, *last_name;
};

/* Applies c to user id inside the caller's transaction (a new email is
 * not verified: email_verified is cleared). CM_ENOTFOUND when
 * there is no such user, CM_ECONFLICT when the username is taken. */
cm_err store_clinical_account_update(PGconn *pg, const char *id,
                                     const struct clinical_account_change *c);

/* The count of organizations user id belongs to that are not in
 * allowed_json (a JSON array of uuids) into *n. */
cm_err store_clinical_foreign_memberships(PGconn *pg, const char *id, const char *allowed_json,
                                          long *n);

/* Whether organization id may be renamed new_name by an organization
 * admin without touching the OU hierarchy (which the names are): *ok is 0
 * when new_name has a ':' or, for a real change, when the current or the
 * new name has descendants ("<name>:..."). CM_ENOTFOUND for no such
 * organization. */
cm_err store_clinical_rename_ok(PGconn *pg, const char *id, const char *new_name, int *ok);

/* Frees a list's items and strings (either list type: same layout). */
void store_clinical_list_free(size_t *n, void **items, char **mem);

#endif
