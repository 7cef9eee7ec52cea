/* clinical_groups.c: recipient groups (clinical_groups.h). A group
 * belongs to a root OU (IID) and lists clinical users of that OU's tree,
 * named by their external user ids (identity usernames). Listing needs an
 * API client reaching the OU; creating, changing and deleting one with the
 * admin role. A group outside the caller's reach answers 404. */
#include "clinical_groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_body.h"
#include "clinical_identity.h"
#include "clinical_ou.h"
#include "clinical_services.h"
#include "cm_body.h"
#include "cm_jsonapi.h"
#include "spool.h"
#include "store_clinical_groups.h"
#include "store_clinical_people.h"

/* The user ids (JSON array text, caller frees) of the external user ids
 * names, each of whom must be a clinical user of the tree of root OU
 * root; a reason naming the first that is not. */
static cm_err members_of(struct cm_req *rq, const struct clinical_ou *root, const json_t *names,
                         char **out, json_t **reason)
{
    size_t n = json_array_size(names);
    char **v = calloc(n + 1, sizeof *v), why[320];
    Identity__ClinicalGetAccountsReply *acc = NULL;
    struct clinical_ou_list tree = {0};
    struct clinical_profile_list pl = {0};
    json_t *ids = json_array();
    char *ids_text = NULL;
    char *root_name[1] = {(char *)root->name};
    cm_err err = v ? CM_OK : CM_ENOMEM;

    for (size_t i = 0; err == CM_OK && i < n; i++)
        v[i] = (char *)json_string_value(json_array_get(names, i));
    if (err == CM_OK && n)
        err = clinical_identity_accounts_named(rq->w, v, n, &acc);
    if (err == CM_OK && n)
        err = clinical_ou_lookup(rq->w, root_name, 1, NULL, 0, 1, &tree);
    for (size_t i = 0; err == CM_OK && acc && i < acc->n_accounts; i++)
        json_array_append_new(ids, json_string(acc->accounts[i]->user_id));
    if (err == CM_OK && (ids_text = json_dumps(ids, JSON_COMPACT)) == NULL)
        err = CM_ENOMEM;
    if (err == CM_OK && n)
        err = store_clinical_profiles_get(rq->w->pg, ids_text, &pl);
    json_decref(ids);
    ids = json_array();
    /* in the order given; each one a profiled user of the tree */
    for (size_t i = 0; err == CM_OK && i < n; i++) {
        const char *id = NULL;
        for (size_t j = 0; acc && j < acc->n_accounts; j++)
            if (!strcasecmp(acc->accounts[j]->username, v[i]))
                id = acc->accounts[j]->user_id;
        int ok = 0;
        for (size_t j = 0; id && j < pl.n; j++)
            ok |= !strcmp(pl.items[j].user_id, id) && clinical_ou_find_id(&tree, pl.items[j].org_id);
        if (!ok) {
            snprintf(why, sizeof why, "unknown user [%.255s]", v[i]);
            clinical_reason(reason, "recipient_ids", why);
            break;
        }
        json_array_append_new(ids, json_string(id));
    }
    if (err == CM_OK && !*reason)
        *out = json_dumps(ids, JSON_COMPACT);
    if (err != CM_OK)
        cm_fail(rq, err, "the recipients could not be read, retry later");
    json_decref(ids);
    free(ids_text);
    free(v);
    store_clinical_profile_list_free(&pl);
    clinical_ou_list_free(&tree);
    if (acc)
        identity__clinical_get_accounts_reply__free_unpacked(acc, NULL);
    return err;
}

/* Groups gl of OU ou as the seed's recipient_group objects, members by
 * their external user ids (one identity call for all). */
static cm_err groups_json(struct cm_req *rq, const struct clinical_group_list *gl,
                          const char *ou, json_t **out)
{
    Identity__ClinicalGetAccountsReply *acc = NULL;
    json_t *all = json_array(), *m, *e;
    char **ids = NULL;
    size_t n = 0, i, k;
    cm_err err = CM_OK;

    for (i = 0; i < gl->n; i++) {
        m = json_loads(gl->items[i].members, 0, NULL);
        json_array_foreach(m, k, e) json_array_append(all, e);
        json_decref(m);
    }
    n = json_array_size(all);
    ids = calloc(n + 1, sizeof *ids);
    if (!ids)
        err = CM_ENOMEM;
    for (i = 0; err == CM_OK && i < n; i++)
        ids[i] = (char *)json_string_value(json_array_get(all, i));
    if (err == CM_OK && n)
        err = clinical_identity_accounts(rq->w, ids, n, "", "", &acc);
    *out = json_array();
    for (i = 0; err == CM_OK && i < gl->n; i++) {
        const struct clinical_group_rec *g = &gl->items[i];
        json_t *names = json_array();
        m = json_loads(g->members, 0, NULL);
        json_array_foreach(m, k, e)
            for (size_t j = 0; acc && j < acc->n_accounts; j++)
                if (!strcmp(acc->accounts[j]->user_id, json_string_value(e)))
                    json_array_append_new(names, json_string(acc->accounts[j]->username));
        json_decref(m);
        json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "id", g->id,
                                              "iid", ou, "name", g->name, "recipient_ids", names,
                                              "time_created", g->created_at, "time_updated",
                                              g->updated_at));
    }
    if (acc)
        identity__clinical_get_accounts_reply__free_unpacked(acc, NULL);
    free(ids);
    json_decref(all);
    if (err != CM_OK)
        cm_fail(rq, err, "the recipients could not be read, retry later");
    return err;
}

/* Answers {"status": "ok", "recipient_group": {...}} for group id of ou. */
static cm_err answer_group(struct cm_req *rq, struct cm_resp *out, const char *id,
                           const struct clinical_ou *ou)
{
    struct clinical_group_list gl = {0};
    json_t *arr = NULL;
    cm_err err = store_clinical_group_get(rq->w->pg, id, &gl);

    if (err == CM_OK)
        err = groups_json(rq, &gl, ou->name, &arr);
    else
        cm_fail(rq, err, "the recipient group could not be read, retry later");
    if (err == CM_OK)
        clinical_reply_ok(rq, out, 200,
                          json_pack("{s:O}", "recipient_group", json_array_get(arr, 0)));
    json_decref(arr);
    store_clinical_group_list_free(&gl);
    return err;
}

/* name and recipient_ids of p (each optional unless required), with reasons. */
static void group_input(const json_t *p, int required, const char **name, json_t **recipients,
                        json_t **reason)
{
    size_t i;
    json_t *e;

    *name = clinical_str(p, "name");
    if (json_object_get(p, "name") &&
        (!*name || !**name || cm_body_utf8_chars(*name) > 255))
        clinical_reason(reason, "name", "must have 1 to 255 characters");
    else if (required && !*name)
        clinical_reason(reason, "name", "Missing value");
    if (clinical_list(p, "recipient_ids", recipients) != 0)
        clinical_reason(reason, "recipient_ids", "must be a list of user ids");
    else if (required && !*recipients)
        clinical_reason(reason, "recipient_ids", "Missing value");
    json_array_foreach(*recipients, i, e)
        if (!json_string_length(e) || json_string_length(e) > 255) {
            clinical_reason(reason, "recipient_ids", "user ids have 1 to 255 characters");
            break;
        }
    if (json_array_size(*recipients) > 1000)
        clinical_reason(reason, "recipient_ids", "at most 1000 recipients");
}

/* After a create or update of group id of ou whose store returned err: the
 * group, or 400 with reason name for a taken name, or the store's error. */
static cm_err saved(struct cm_req *rq, struct cm_resp *out, cm_err err, const char *id,
                    const struct clinical_ou *ou)
{
    json_t *reason = NULL;

    if (err == CM_ECONFLICT) {
        clinical_reason(&reason, "name", "a recipient group of this IID has this name");
        clinical_reply_invalid(rq, out, reason);
        return CM_OK;
    }
    if (err == CM_OK)
        return answer_group(rq, out, id, ou);
    if (!rq->detail[0])
        cm_fail(rq, err, "the recipient group could not be saved, retry later");
    return err;
}

cm_err clinical_groups_create(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_ou ou;
    json_t *params = NULL, *recipients = NULL, *reason = NULL;
    const char *name = NULL, *iid;
    char id[SPOOL_UUID_LEN + 1], *members = NULL;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err != CM_OK)
        goto done;
    iid = clinical_str(params, "iid");
    group_input(params, 1, &name, &recipients, &reason);
    if (!iid || !iid[0])
        clinical_reason(&reason, "iid", "Missing value");
    else if (!clinical_ou_is_root(iid))
        clinical_reason(&reason, "iid", "only a root IID is allowed");
    if (reason) {
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    err = clinical_target_ou(rq, &caller, iid, 1, &ou);
    if (err == CM_OK)
        err = members_of(rq, &ou, recipients, &members, &reason);
    if (err == CM_OK && reason) {
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    if (err != CM_OK)
        goto done;
    spool_uuid(id);
    err = saved(rq, out, store_clinical_group_create(rq->w->pg, id, ou.id, name, members), id, &ou);
done:
    free(members);
    json_decref(recipients);
    json_decref(params);
    return err;
}

cm_err clinical_groups_list(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_ou ou;
    struct clinical_group_list gl = {0};
    json_t *params = NULL, *arr = NULL;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err == CM_OK)
        err = clinical_target_ou(rq, &caller, clinical_str(params, "iid"), 0, &ou);
    if (err == CM_OK) {
        err = store_clinical_groups_list(rq->w->pg, ou.id, &gl);
        if (err != CM_OK)
            cm_fail(rq, err, "the recipient groups could not be read, retry later");
    }
    if (err == CM_OK)
        err = groups_json(rq, &gl, ou.name, &arr);
    if (err == CM_OK)
        clinical_reply_ok(rq, out, 200, json_pack("{s:O}", "recipient_groups", arr));
    json_decref(arr);
    store_clinical_group_list_free(&gl);
    json_decref(params);
    return err;
}

/* The group of the path that the caller administers, and its OU. */
static cm_err path_group(struct cm_req *rq, const struct clinical_caller *caller,
                         struct clinical_ou *ou)
{
    const char *id = cm_req_param(rq, "group_id");
    struct clinical_group_list gl = {0};
    cm_err err = cm_uuid_valid(id) ? store_clinical_group_get(rq->w->pg, id, &gl) : CM_ENOTFOUND;

    if (err == CM_OK)
        err = clinical_ou_by_id(rq->w, gl.items[0].org_id, ou);
    if (err == CM_OK && !clinical_caller_reaches(caller, ou->name))
        err = CM_ENOTFOUND;
    store_clinical_group_list_free(&gl);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "recipient group [%.64s] not found", id);
    if (err != CM_OK)
        return cm_fail(rq, err, "the recipient group could not be read, retry later");
    return clinical_caller_may(rq, caller, ou->name, 1);
}

cm_err clinical_groups_update(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_ou ou;
    json_t *params = NULL, *recipients = NULL, *reason = NULL;
    const char *name = NULL, *id = cm_req_param(rq, "group_id");
    char *members = NULL;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = path_group(rq, &caller, &ou);
    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err != CM_OK)
        goto done;
    group_input(params, 0, &name, &recipients, &reason);
    if (!reason && recipients)
        err = members_of(rq, &ou, recipients, &members, &reason);
    if (err == CM_OK && reason) {
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    if (err == CM_OK)
        err = saved(rq, out, store_clinical_group_update(rq->w->pg, id, ou.id, name, members), id,
                    &ou);
done:
    free(members);
    json_decref(recipients);
    json_decref(params);
    return err;
}

cm_err clinical_groups_delete(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_ou ou;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = path_group(rq, &caller, &ou);
    if (err == CM_OK) {
        err = store_clinical_group_delete(rq->w->pg, cm_req_param(rq, "group_id"), ou.id);
        if (err == CM_OK)
            clinical_reply_ok(rq, out, 200, NULL);
        else
            cm_fail(rq, err, "the recipient group could not be deleted, retry later");
    }
    return err;
}
