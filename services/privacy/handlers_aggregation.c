/* handlers_aggregation.c: aggregation requests (#1), and their read-back
 * (an addition: GET /v1/aggregation-requests/{id}/). A person names
 * entries {column, individual-id} (aggregation.h: what a column may be);
 * each individual must be one they may read (authz "individual:I:read",
 * else 404 at the entry, as if unknown); the columns are collected from
 * their owners (authz for the record, privacy for the privacy level) into
 * one result {individual-id: {column: value}}, stored for the person who
 * asked and read back by them only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregation.h"
#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "levels.h"
#include "peers.h"
#include "store_aggregation.h"
#include "store_levels.h"

#define TYPE "aggregation-requests"

/* Access: a person (user token), not an API client. */
static cm_err person(struct cm_req *rq, const char **out_user)
{
    return cm_principal_require_person(rq, "a person's own token is required", out_user);
}

/* Input: entries, checked; the distinct individual ids into ids (*n). */
static cm_err entries_in(struct cm_req *rq, const json_t *entries, char ids[][40], size_t *n)
{
    json_t *e;
    size_t i, k;
    char ptr[96];

    if (!json_is_array(entries) || json_array_size(entries) == 0 ||
        json_array_size(entries) > AGG_ENTRIES_MAX)
        return cm_fail_at(rq, CM_EINVAL, "/data/attributes/entries", NULL,
                          "entries must be a list of 1 to %d entries", AGG_ENTRIES_MAX);
    *n = 0;
    json_array_foreach(entries, i, e)
    {
        const char *col = json_string_value(json_object_get(e, "column"));
        const char *ind = json_string_value(json_object_get(e, "individual-id"));
        if (!col || agg_column_owner(col) == AGG_NONE) {
            snprintf(ptr, sizeof ptr, "/data/attributes/entries/%zu/column", i);
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "not a column (README: Aggregation)");
        }
        if (!ind || !cm_uuid_valid(ind)) {
            snprintf(ptr, sizeof ptr, "/data/attributes/entries/%zu/individual-id", i);
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "individual-id must be a uuid");
        }
        for (k = 0; k < *n && strcmp(ids[k], ind); k++)
            ;
        if (k == *n)
            snprintf(ids[(*n)++], 40, "%s", ind);
    }
    return CM_OK;
}

/* The value of column for individual v. */
static json_t *value_of(struct cm_req *rq, const Authz__PrivacyIndividual *v, const char *col,
                        cm_err *err)
{
    int levels = 0;
    if (!strcmp(col, "first-name"))
        return json_string(v->first_name);
    if (!strcmp(col, "last-name"))
        return json_string(v->last_name);
    if (!strcmp(col, "email"))
        return json_string(v->email);
    if (!strcmp(col, "phone"))
        return json_string(v->phone);
    if (!strcmp(col, "birth-date"))
        return v->birth_date[0] ? json_string(v->birth_date) : json_null();
    if (!strcmp(col, "group-ids")) {
        json_t *a = json_array();
        for (size_t i = 0; i < v->n_group_ids; i++)
            json_array_append_new(a, json_string(v->group_ids[i]));
        return a;
    }
    /* privacy-level */
    if (v->user_id[0])
        *err = store_settings_get(rq->w->pg, v->user_id, &levels);
    return levels_json(levels);
}

cm_err aggregation_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"entries", NULL};
    const char *user = NULL;
    char (*ids)[40] = NULL, query[80], id[40], ptr[96], *entries_text = NULL, *result_text = NULL;
    size_t n = 0, i;
    json_t *doc = NULL, *attrs = NULL, *entries, *e, *result = NULL;
    Authz__PrivacyIndividualsReply *inds = NULL;
    cm_err err = person(rq, &user);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, TYPE, NULL, allowed, &doc, &attrs);
    entries = attrs ? json_object_get(attrs, "entries") : NULL;
    if (err == CM_OK && !(ids = calloc(AGG_ENTRIES_MAX, sizeof *ids)))
        err = CM_ENOMEM;
    if (err == CM_OK)
        err = entries_in(rq, entries, ids, &n);
    /* access: every individual readable by the caller */
    for (i = 0; err == CM_OK && i < n; i++) {
        int allow = 0;
        snprintf(query, sizeof query, "individual:%s:read", ids[i]);
        err = peers_check(rq->w, user, query, &allow);
        if (err == CM_OK && !allow) {
            size_t k;
            json_array_foreach(entries, k, e) if (!strcmp(json_string_value(json_object_get(
                                                              e, "individual-id")),
                                                          ids[i])) break;
            snprintf(ptr, sizeof ptr, "/data/attributes/entries/%zu/individual-id", k);
            err = cm_fail_at(rq, CM_ENOTFOUND, ptr, NULL, "no such individual");
        }
    }
    if (err == CM_OK) {
        char *idp[AGG_ENTRIES_MAX];
        for (i = 0; i < n; i++)
            idp[i] = ids[i];
        err = peers_individuals(rq->w, idp, n, &inds);
    }
    if (err == CM_OK) {
        result = json_object();
        json_array_foreach(entries, i, e)
        {
            const char *ind = json_string_value(json_object_get(e, "individual-id"));
            const char *col = json_string_value(json_object_get(e, "column"));
            json_t *row = json_object_get(result, ind);
            for (size_t k = 0; err == CM_OK && k < inds->n_individuals; k++)
                if (!strcmp(inds->individuals[k]->individual_id, ind)) {
                    if (!row)
                        json_object_set_new(result, ind, row = json_object());
                    json_object_set_new(row, col, value_of(rq, inds->individuals[k], col, &err));
                }
        }
        entries_text = json_dumps(entries, JSON_COMPACT);
        result_text = json_dumps(result, JSON_COMPACT);
    }
    if (err == CM_OK)
        err = store_aggregation_create(rq->w->pg, user, entries_text, result_text, id);
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, cm_jsonapi_doc(cm_jsonapi_resource(TYPE, id, json_object())));
    authz__privacy_individuals_reply__free_unpacked(inds, NULL);
    free(entries_text);
    free(result_text);
    json_decref(result);
    free(ids);
    json_decref(doc);
    return err;
}

cm_err aggregation_read(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id"), *user = NULL;
    char *entries = NULL, *result = NULL, created[40];
    cm_err err = person(rq, &user);

    if (err == CM_OK && !cm_uuid_valid(id))
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        err = store_aggregation_get(rq->w->pg, id, user, &entries, &result, created);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such aggregation request");
    if (err == CM_OK)
        cm_resp_json(out, rq, 200,
                     cm_jsonapi_doc(cm_jsonapi_resource(
                         TYPE, id,
                         json_pack("{s:o,s:o,s:s}", "entries", json_loads(entries, 0, NULL),
                                   "result", json_loads(result, 0, NULL), "created-time",
                                   created))));
    free(entries);
    free(result);
    return err;
}
