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
    PGresult *res = NULL;
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
        err = groups_load(rq, group, NULL, GROUP_PARAM, AUTHZ_READ, &res);
    PQclear(res);
    return err;
}

cm_err group_individuals_list(struct cm_req *rq, struct cm_resp *out)
{
    char group[GS_ID_LEN];
    long limit, offset;
    PGresult *res = NULL;
    json_t *data;
    cm_err err = group_page(rq, group, &limit, &offset);

    if (err == CM_OK)
        err = gs_group_individuals(rq->w->pg, group, limit, offset, &res);
    if (err != CM_OK)
        return err;
    data = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(data, json_pack("{s:s, s:{s:o, s:s}}", "type",
                                              "individual-group-individuals", "attributes",
                                              "individual", gj_individual_summary(res, i),
                                              "individual-group-id", group));
    PQclear(res);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    return CM_OK;
}

cm_err group_leaders_list(struct cm_req *rq, struct cm_resp *out)
{
    char group[GS_ID_LEN];
    long limit, offset;
    PGresult *res = NULL;
    json_t *data;
    cm_err err = group_page(rq, group, &limit, &offset);

    if (err == CM_OK)
        err = gs_group_leaders(rq->w->pg, group, limit, offset, &res);
    if (err != CM_OK)
        return err;
    data = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(
            data, json_pack("{s:s, s:{s:s, s:{s:s, s:s, s:s, s:s}}}", "type",
                            "individual-group-leaders", "attributes", "individual-group-id", group,
                            "leader", "first-name", gs_col(res, i, "first_name"), "id",
                            gs_col(res, i, "id"), "last-name", gs_col(res, i, "last_name"),
                            "username", gs_col(res, i, "username")));
    PQclear(res);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    return CM_OK;
}

/* One individual-group-logs resource of row of res. */
static json_t *log_resource(const PGresult *res, int row)
{
    const char *subject = gs_col(res, row, "subject");
    const char *subject_id = gs_col(res, row, "subject_id");
    const char *by = gs_col(res, row, "created_by");
    json_t *attrs = json_pack(
        "{s:o, s:s, s:s, s:s, s:o, s:s, s:s}", "created-by",
        by[0] ? json_pack("{s:s}", "id", by) : json_null(), "created-time",
        gs_col(res, row, "created_time"), "event", gs_col(res, row, "event"),
        "individual-group-id", gs_col(res, row, "group_id"), "individual-id",
        cm_json_str_or_null(!strcmp(subject, "individual") ? subject_id : ""), "subject", subject,
        "subject-id", subject_id);

    return attrs ? cm_jsonapi_resource("individual-group-logs", gs_col(res, row, "id"), attrs)
                 : NULL;
}

cm_err group_logs_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[individual-id]", GROUP_PARAM, "individual-id",
                                        "organization-id",       "page[limit]", "page[offset]",
                                        NULL};
    char group[GS_ID_LEN], individual[GS_ID_LEN], filter_individual[GS_ID_LEN], org[GS_ID_LEN];
    struct gs_scope sc;
    long limit, offset;
    PGresult *res = NULL;
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
        err = groups_load(rq, group, NULL, GROUP_PARAM, AUTHZ_READ, &res);
    PQclear(res);
    res = NULL;
    if (err != CM_OK)
        return err;
    groups_scope_of(rq, &sc);
    err = gs_group_logs(rq->w->pg, &sc, group, individual[0] ? individual : filter_individual, org,
                        limit, offset, &res);
    if (err != CM_OK)
        return err;
    cm_resp_rows(out, rq, res, log_resource);
    return CM_OK;
}

/* One eligible person of row of res (flat, as #46 shows it). */
static json_t *eligible_item(const PGresult *res, int row)
{
    return json_pack("{s:o, s:s, s:b, s:s, s:s, s:o, s:s, s:s, s:b, s:b}",
                     "communication-preferences", gj_comm_prefs(), "email",
                     gs_col(res, row, "email"), "email-verified",
                     gs_bool(res, row, "email_verified"), "first-name",
                     gs_col(res, row, "first_name"), "id", gs_col(res, row, "id"),
                     "individual-id", cm_json_str_or_null(gs_col(res, row, "individual_id")),
                     "last-name", gs_col(res, row, "last_name"), "member-type",
                     gs_col(res, row, "member_type"), "phone-verified",
                     gs_bool(res, row, "phone_verified"), "verified",
                     gs_bool(res, row, "verified"));
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
    PGresult *res = NULL;
    json_t *data;
    long total;
    cm_err err = groups_load(rq, id, NULL, NULL, AUTHZ_WRITE, &res);

    if (err != CM_OK)
        return err;
    snprintf(org, sizeof org, "%s", gs_col(res, 0, "organization_id"));
    PQclear(res);
    res = NULL;
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
        err = gs_eligible(rq->w->pg, id, org, &q, &res);
    if (err != CM_OK)
        return err;
    data = json_array();
    total = PQntuples(res) ? strtol(gs_col(res, 0, "total"), NULL, 10) : 0;
    for (int i = 0; i < PQntuples(res); i++)
        if (gs_col(res, i, "id")[0])
            json_array_append_new(data, eligible_item(res, i));
    PQclear(res);
    cm_resp_json(out, rq, 200,
                 json_pack("{s:o, s:{s:I, s:I, s:I}}", "data", data, "meta", "page[limit]",
                           (json_int_t)q.limit, "page[offset]", (json_int_t)q.offset,
                           "page[total]", (json_int_t)total));
    return CM_OK;
}
