/* handlers_groups_view.c: what the groups handlers answer (v1 and v2
 * resources) and the events they write to the outbox (handlers_groups.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.pb-c.h"
#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_outbox.h"
#include "group_json.h"
#include "handlers_groups.h"

cm_err groups_render_v1(struct cm_req *rq, const PGresult *res, int with_individuals,
                        int with_members, json_t **out)
{
    json_t *by_id = json_object(), *ids = json_array(), *list = json_array();
    PGresult *details = NULL;
    char *ids_json = NULL;
    cm_err err = CM_OK;

    int n = PQntuples(res);
    const char **orgs = cm_xcalloc(n ? (size_t)n : 1, sizeof *orgs);
    const char **gids = cm_xcalloc(n ? (size_t)n : 1, sizeof *gids);
    int *self_write = cm_xcalloc(n ? (size_t)n : 1, sizeof *self_write);

    for (int i = 0; i < n; i++) {
        orgs[i] = gs_col(res, i, "organization_id");
        gids[i] = gs_col(res, i, "id");
    }
    /* self-can-write of the whole page in one question */
    err = groups_allowed_each(rq, orgs, AUTHZ_GROUP, gids, (size_t)n, AUTHZ_WRITE, self_write);
    for (int i = 0; i < n && err == CM_OK; i++) {
        struct gs_group g;
        json_t *attrs;

        gs_group_row(res, i, &g);
        attrs = gj_group_v1_attrs(&g, self_write[i], with_individuals, with_members);
        if (!attrs)
            err = CM_ENOMEM;
        if (err == CM_OK) {
            json_object_set(by_id, g.id, attrs); /* shared: filled below */
            json_array_append_new(ids, json_string(g.id));
            json_array_append_new(list, cm_jsonapi_resource(GJ_GROUP_TYPE, g.id, attrs));
        }
    }
    free(orgs);
    free(gids);
    free(self_write);
    if (err == CM_OK && json_array_size(ids) && !(ids_json = json_dumps(ids, JSON_COMPACT)))
        err = CM_ENOMEM;
    for (int s = GS_INDIVIDUAL; ids_json && err == CM_OK && s <= GS_MEMBER; s++) {
        if (s == GS_MEMBER && !with_members)
            continue;
        err = gs_details(rq->w->pg, ids_json, (enum gs_subject)s, &details);
        if (err == CM_OK)
            gj_group_attach(by_id, details, (enum gs_subject)s);
        PQclear(details);
        details = NULL;
    }
    free(ids_json);
    json_decref(by_id);
    json_decref(ids);
    if (err != CM_OK) {
        json_decref(list);
        return err;
    }
    *out = list;
    return CM_OK;
}

json_t *groups_resource_v2(const PGresult *res, int row)
{
    struct gs_group g;
    json_t *attrs;

    gs_group_row(res, row, &g);
    attrs = gj_group_v2_attrs(&g);
    return attrs ? cm_jsonapi_resource(GJ_GROUP_TYPE, g.id, attrs) : NULL;
}

cm_err groups_respond_v1(struct cm_req *rq, struct cm_resp *out, int status, const char *id,
                         int with_individuals, int with_members)
{
    PGresult *res = NULL;
    json_t *list = NULL;
    cm_err err = gs_group_get(rq->w->pg, id, &res);

    if (err == CM_OK)
        err = groups_render_v1(rq, res, with_individuals, with_members, &list);
    PQclear(res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, status, cm_jsonapi_doc(json_incref(json_array_get(list, 0))));
    json_decref(list);
    return CM_OK;
}

cm_err groups_event_group(PGconn *pg, const char *id, const char *org, const char *parent,
                          const char *change)
{
    Authz__GroupChanged ev = AUTHZ__GROUP_CHANGED__INIT;
    char subject[64], now[GS_TIME_LEN];
    cm_err err = gs_now(pg, now);

    snprintf(subject, sizeof subject, "%s%s", AUTHZ_EVT_GROUP, change);
    ev.group_id = (char *)id;
    ev.organization_id = (char *)org;
    ev.parent_id = (char *)parent;
    ev.change = (char *)change;
    ev.occurred_at = now;
    return err == CM_OK ? cm_outbox_add(pg, subject, &ev.base, NULL) : err;
}

cm_err groups_event_membership(PGconn *pg, const char *group, enum gs_subject s,
                               const char *subject_id, const char *change)
{
    Authz__GroupMembershipChanged ev = AUTHZ__GROUP_MEMBERSHIP_CHANGED__INIT;
    char subject[64], now[GS_TIME_LEN];
    cm_err err = gs_now(pg, now);

    snprintf(subject, sizeof subject, "%s%s", AUTHZ_EVT_GROUP_MEMBERSHIP, change);
    ev.group_id = (char *)group;
    ev.subject = (char *)gs_subject_name(s);
    ev.subject_id = (char *)subject_id;
    ev.change = (char *)change;
    ev.occurred_at = now;
    return err == CM_OK ? cm_outbox_add(pg, subject, &ev.base, NULL) : err;
}

cm_err groups_subject_change(struct cm_req *rq, const char *group, enum gs_subject s,
                             const char *id, int add)
{
    PGconn *pg = rq->w->pg;
    int changed = 0;
    cm_err err = add ? gs_subject_add(pg, group, s, id, groups_caller(rq), &changed)
                     : gs_subject_remove(pg, group, s, id, groups_caller(rq), &changed);

    if (err == CM_OK && changed)
        err = groups_event_membership(pg, group, s, id, add ? "added" : "removed");
    return err;
}
