/* handlers_groups_lists.c: the lists around one group: its individuals
 * (#36), leaders (#37), logs (#38) and the people eligible to join it
 * (#46) (handlers_groups.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "group_json.h"
#include "handlers_groups.h"

#define GROUP_PARAM "individual-group-id"

/* Reads the required individual-group-id and the page of #36 / #37, and
 * loads the group for reading. */
static cm_err group_page(struct cm_req *rq, char group[GS_ID_LEN], long *limit, long *offset)
{
    static const char *const known[] = {GROUP_PARAM, "page[limit]", "page[offset]", NULL};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, limit, offset);
    if (err == CM_OK)
        err = cm_query_uuid(rq, GROUP_PARAM, group);
    if (err == CM_OK && !group[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, GROUP_PARAM, GROUP_PARAM " is required");
    if (err == CM_OK)
        err = groups_load(rq, group, NULL, GROUP_PARAM, AUTHZ_READ, NULL);
    return err;
}

cm_err group_individuals_list(struct cm_req *rq, struct cm_resp *out)
{
    char group[GS_ID_LEN];
    long limit, offset;
    struct individual_list l = {0, NULL, NULL};
    json_t *data;
    cm_err err = group_page(rq, group, &limit, &offset);

    if (err == CM_OK)
        err = gs_group_individuals(rq->w->pg, group, limit, offset, &l);
    if (err != CM_OK)
        return err;
    data = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(data, gj_group_individual_item(&l.items[i], group));
    GS_LIST_RELEASE(&l);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    return CM_OK;
}

cm_err group_leaders_list(struct cm_req *rq, struct cm_resp *out)
{
    char group[GS_ID_LEN];
    long limit, offset;
    struct person_list l = {0, NULL, NULL};
    json_t *data;
    cm_err err = group_page(rq, group, &limit, &offset);

    if (err == CM_OK)
        err = gs_group_leaders(rq->w->pg, group, limit, offset, &l);
    if (err != CM_OK)
        return err;
    data = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(data, gj_group_leader_item(&l.items[i], group));
    GS_LIST_RELEASE(&l);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    return CM_OK;
}

cm_err group_logs_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[individual-id]", GROUP_PARAM, "individual-id",
                                        "organization-id",       "page[limit]", "page[offset]",
                                        NULL};
    char group[GS_ID_LEN], individual[GS_ID_LEN], filter_individual[GS_ID_LEN], org[GS_ID_LEN];
    struct gs_scope sc;
    long limit, offset;
    struct group_log_list l = {0, NULL, NULL};
    json_t *data;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err == CM_OK)
        err = cm_query_uuid(rq, GROUP_PARAM, group);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "individual-id", individual);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[individual-id]", filter_individual);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", org);
    if (err == CM_OK && individual[0] && filter_individual[0] &&
        strcmp(individual, filter_individual))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "filter[individual-id]",
                         "individual-id and filter[individual-id] differ");
    if (err == CM_OK && group[0]) /* a named group must be readable: 404 otherwise */
        err = groups_load(rq, group, NULL, GROUP_PARAM, AUTHZ_READ, NULL);
    if (err != CM_OK)
        return err;
    groups_scope_of(rq, &sc);
    err = gs_group_logs(rq->w->pg, &sc, group, individual[0] ? individual : filter_individual, org,
                        limit, offset, &l);
    if (err != CM_OK)
        return err;
    data = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(data, gj_group_log_resource(&l.items[i]));
    GS_LIST_RELEASE(&l);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    return CM_OK;
}

static int member_type_valid(const char *s)
{
    return !strcmp(s, "individual") || !strcmp(s, "leader") || !strcmp(s, "member");
}

static int invite_valid(const char *s)
{
    return !strcmp(s, "accepted") || !strcmp(s, "failed") || !strcmp(s, "none") ||
           !strcmp(s, "sent");
}

/* Reads an optional query parameter from a fixed set into buf. */
static cm_err query_enum(struct cm_req *rq, const char *name, int (*valid)(const char *),
                         const char *what, char *buf, size_t cap)
{
    cm_err err = cm_query_text(rq, name, 16, buf, cap);

    if (err == CM_OK && buf[0] && !valid(buf))
        err = cm_fail_at(rq, CM_EINVAL, NULL, name, "must be %s", what);
    return err;
}

cm_err groups_eligible_members(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[registration-invite]", "filter[text]",
                                        "filter[verified]",            "for-children",
                                        "member-type",                 "page[limit]",
                                        "page[offset]",                NULL};
    const char *id = cm_req_param(rq, "id");
    char member_type[65], invite[65], text[GROUPS_NAME_CHARS * 4 + 1], org[GS_ID_LEN];
    struct gs_eligible_query q = {.member_type = member_type, .text = text, .invite = invite};
    struct group_list g = {0, NULL, NULL};
    struct eligible_list l = {0, NULL, NULL};
    json_t *data;
    long total = 0;
    cm_err err = groups_load(rq, id, NULL, NULL, AUTHZ_WRITE, &g);

    if (err != CM_OK)
        return err;
    snprintf(org, sizeof org, "%s", g.items[0].organization_id);
    GS_LIST_RELEASE(&g);
    err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &q.limit, &q.offset);
    if (err == CM_OK)
        err = query_enum(rq, "member-type", member_type_valid, "individual, leader or member",
                         member_type, sizeof member_type);
    if (err == CM_OK && !member_type[0])
        snprintf(member_type, sizeof member_type, "leader");
    if (err == CM_OK)
        err = query_enum(rq, "filter[registration-invite]", invite_valid,
                         "accepted, failed, none or sent", invite, sizeof invite);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[text]", GROUPS_NAME_CHARS, text, sizeof text);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[verified]", -1, &q.verified);
    if (err == CM_OK)
        err = cm_query_bool(rq, "for-children", 0, &q.for_children);
    if (err == CM_OK)
        err = gs_eligible(rq->w->pg, id, org, &q, &l, &total);
    if (err != CM_OK)
        return err;
    data = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(data, gj_eligible_item(&l.items[i]));
    GS_LIST_RELEASE(&l);
    cm_resp_json(out, rq, 200,
                 json_pack("{s:o, s:{s:I, s:I, s:I}}", "data", data, "meta", "page[limit]",
                           (json_int_t)q.limit, "page[offset]", (json_int_t)q.offset,
                           "page[total]", (json_int_t)total));
    return CM_OK;
}
