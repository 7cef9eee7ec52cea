/* handlers_individuals.c: the individuals resource (#51, #52): an
 * individual id registered under its owner organization, optionally tied
 * to the individual's own user account (handlers_groups.h). */
#include <stdio.h>
#include <string.h>

#include "authz.pb-c.h"
#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "group_json.h"
#include "handlers_groups.h"

#define INDIVIDUAL_TYPE "individuals"
#define ATTR "/data/attributes"

/* Writes IndividualChanged (AUTHZ_EVT_INDIVIDUAL + change). */
static cm_err event_individual(PGconn *pg, const char *id, const char *owner, const char *change)
{
    Authz__IndividualChanged ev = AUTHZ__INDIVIDUAL_CHANGED__INIT;

    ev.individual_id = (char *)id;
    ev.owner_id = (char *)owner;
    ev.change = (char *)change;
    return cm_outbox_add_now(pg, AUTHZ_EVT_INDIVIDUAL, change, &ev.base);
}


cm_err individuals_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"individual-id", "owner-id", "user-id", NULL};
    char id[GS_ID_LEN], owner[GS_ID_LEN], user[GS_ID_LEN], resolved[GS_ID_LEN];
    json_t *doc = NULL, *attrs;
    struct individual_list l = {0, NULL, NULL};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, INDIVIDUAL_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "individual-id", 1, id);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "owner-id", 1, owner);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "user-id", 0, user);
    json_decref(doc);
    if (err == CM_OK)
        err = groups_require_org_admin(rq, owner, ATTR "/owner-id",
                                       "only an administrator of the owner organization may "
                                       "register its individuals");
    if (err == CM_OK && user[0]) {
        err = gs_org_user(rq->w->pg, owner, user, "", resolved);
        if (err == CM_ENOTFOUND)
            err = cm_fail_at(rq, err, ATTR "/user-id", NULL,
                             "no such user in the owner organization");
    }
    if (err == CM_OK)
        err = cm_pg_begin(rq->w->pg);
    if (err == CM_OK) {
        err = gs_individual_create(rq->w->pg, id, owner, user, groups_caller(rq), &l);
        if (err == CM_OK)
            err = event_individual(rq->w->pg, id, owner, "created");
        err = cm_pg_end(rq->w->pg, err);
        if (err == CM_ECONFLICT)
            err = cm_fail_at(rq, err, ATTR "/individual-id", NULL,
                             "this individual is already registered");
    }
    if (err == CM_OK && l.n != 1)
        err = cm_fail(rq, CM_EINTERNAL, "the new individual was not returned");
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, gj_individual_doc(&l.items[0]));
    GS_LIST_RELEASE(&l);
    return err;
}

cm_err individuals_read(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    struct individual_list l = {0, NULL, NULL};
    int allow = 0;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, (const char *const[]){NULL});
    if (err == CM_OK)
        err = id && cm_uuid_valid(id) ? gs_individual_get(rq->w->pg, id, &l) : CM_ENOTFOUND;
    if (err == CM_OK)
        err = groups_allowed(rq, l.items[0].owner_id, AUTHZ_INDIVIDUAL, id, AUTHZ_READ, &allow);
    if (err == CM_OK && !allow)
        err = CM_ENOTFOUND;
    if (err != CM_OK) {
        GS_LIST_RELEASE(&l);
        return err == CM_ENOTFOUND ? cm_fail(rq, err, "no such individual") : err;
    }
    cm_resp_json(out, rq, 200, gj_individual_doc(&l.items[0]));
    GS_LIST_RELEASE(&l);
    return CM_OK;
}
