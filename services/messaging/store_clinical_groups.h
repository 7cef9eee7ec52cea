/* store_clinical_groups.h: messaging's SQL for recipient groups (named
 * lists of clinical users of a root OU). Each write commits with its event
 * evt.messaging.recipient_group.<created|updated|deleted>. */
#ifndef MESSAGING_STORE_CLINICAL_GROUPS_H
#define MESSAGING_STORE_CLINICAL_GROUPS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

struct clinical_group_rec {
    const char *id, *org_id, *name;
    const char *members; /* JSON array of user ids, in order */
    const char *created_at, *updated_at;
};

struct clinical_group_list {
    size_t n;
    struct clinical_group_rec *items;
    char *mem;
};

void store_clinical_group_list_free(struct clinical_group_list *l);

/* The groups of org_id by name. */
cm_err store_clinical_groups_list(PGconn *pg, const char *org_id, struct clinical_group_list *out);

/* Group id into out->items[0]; CM_ENOTFOUND when none. */
cm_err store_clinical_group_get(PGconn *pg, const char *id, struct clinical_group_list *out);

/* Creates group id of org_id named name with members (JSON array of user
 * ids). CM_ECONFLICT when the OU has a group of that name, CM_ENOTFOUND
 * when a member has no clinical profile. */
cm_err store_clinical_group_create(PGconn *pg, const char *id, const char *org_id,
                                   const char *name, const char *members);

/* Renames (name not NULL) and/or replaces the members (members not NULL)
 * of group id; errors as create, CM_ENOTFOUND for no such group. */
cm_err store_clinical_group_update(PGconn *pg, const char *id, const char *org_id,
                                   const char *name, const char *members);

/* Deletes group id of org_id. */
cm_err store_clinical_group_delete(PGconn *pg, const char *id, const char *org_id);

#endif
