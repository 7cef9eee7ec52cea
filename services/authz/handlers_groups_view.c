/* handlers_groups_view.c: what the groups handlers answer (v1 and v2
 * resources) and the events they write to the outbox (handlers_groups.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.pb-c.h"
#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "group_json.h"
#include "handlers_groups.h"

cm_err groups_render_v1(struct cm_req *rq, const struct group_list *l, int with_individuals,
                        int with_members, json_t **out)
{
    json_t *by_id = json_object(), *ids = json_array(), *list = json_array();
    size_t n = l->n;
    const char **orgs = cm_xcalloc(n ? n : 1, sizeof *orgs);
    const char **gids = cm_xcalloc(n ? n : 1, sizeof *gids);
    int *self_write = cm_xcalloc(n ? n : 1, sizeof *self_write);
    char *ids_json = NULL;
    cm_err err;

    for (size_t i = 0; i < n; i++) {
        orgs[i] = l->items[i].organization_id;
        gids[i] = l->items[i].id;
    }
    /* self-can-write of the whole page in one question */
    err = groups_allowed_each(rq, orgs, AUTHZ_GROUP, gids, n, AUTHZ_WRITE, self_write);
    for (size_t i = 0; i < n && err == CM_OK; i++) {
        const struct group_rec *g = &l->items[i];
        json_t *attrs = gj_group_v1_attrs(g, self_write[i], with_individuals, with_members);

        if (!attrs) {
            err = CM_ENOMEM;
            break;
        }
        json_object_set(by_id, g->id, attrs); /* shared: filled below */
        json_array_append_new(ids, json_string(g->id));
        json_array_append_new(list, cm_jsonapi_resource(GJ_GROUP_TYPE, g->id, attrs));
    }
    free(orgs);
    free(gids);
    free(self_write);
    if (err == CM_OK && json_array_size(ids) && !(ids_json = json_dumps(ids, JSON_COMPACT)))
        err = CM_ENOMEM;
    if (ids_json && err == CM_OK) {
        struct individual_list inds = {0, NULL, NULL};
        err = gs_details_individuals(rq->w->pg, ids_json, &inds);
        if (err == CM_OK)
            gj_group_attach_individuals(by_id, &inds);
        GS_LIST_RELEASE(&inds);
    }
    for (int s = GS_LEADER; ids_json && err == CM_OK && s <= GS_MEMBER; s++) {
        struct person_list people = {0, NULL, NULL};
        if (s == GS_MEMBER && !with_members)
            continue;
        err = gs_details_people(rq->w->pg, ids_json, (enum gs_subject)s, &people);
        if (err == CM_OK)
            gj_group_attach_people(by_id, &people, (enum gs_subject)s);
        GS_LIST_RELEASE(&people);
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

cm_err groups_respond_v1(struct cm_req *rq, struct cm_resp *out, int status, const char *id,
                         int with_individuals, int with_members)
{
    struct group_list l = {0, NULL, NULL};
    json_t *list = NULL;
    cm_err err = gs_group_get(rq->w->pg, id, &l);

    if (err == CM_OK)
        err = groups_render_v1(rq, &l, with_individuals, with_members, &list);
    GS_LIST_RELEASE(&l);
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

    ev.group_id = (char *)id;
    ev.organization_id = (char *)org;
    ev.parent_id = (char *)parent;
    ev.change = (char *)change;
    return cm_outbox_add_now(pg, AUTHZ_EVT_GROUP, change, &ev.base);
}

cm_err groups_event_membership(PGconn *pg, const char *group, enum gs_subject s,
                               const char *subject_id, const char *change)
{
    Authz__GroupMembershipChanged ev = AUTHZ__GROUP_MEMBERSHIP_CHANGED__INIT;

    ev.group_id = (char *)group;
    ev.subject = (char *)gs_subject_name(s);
    ev.subject_id = (char *)subject_id;
    ev.change = (char *)change;
    return cm_outbox_add_now(pg, AUTHZ_EVT_GROUP_MEMBERSHIP, change, &ev.base);
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
