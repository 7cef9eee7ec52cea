/* clinical_people_search.c: GET /api/2016-10-01/user/search?service= of
 * the clinical messaging API: the full records of the users of a service
 * of the caller's OU (or of "iid", an OU the caller reaches). Profiles are
 * messaging's; their accounts come from identity in one call. */
#include <stdlib.h>
#include <string.h>

#include "clinical_body.h"
#include "clinical_identity.h"
#include "clinical_people.h"
#include "clinical_people_json.h"

/* The users' records of profiles pl in OU ou as a JSON array. */
static cm_err records(struct cm_req *rq, const struct clinical_profile_list *pl,
                      const struct clinical_ou *ou, json_t **out)
{
    Identity__ClinicalGetAccountsReply *r = NULL;
    char **ids = calloc(pl->n + 1, sizeof *ids);
    cm_err err;

    if (!ids)
        return CM_ENOMEM;
    for (size_t i = 0; i < pl->n; i++)
        ids[i] = (char *)pl->items[i].user_id;
    err = pl->n ? clinical_identity_accounts(rq->w, ids, pl->n, "", "", &r) : CM_OK;
    *out = json_array();
    for (size_t i = 0; err == CM_OK && i < pl->n; i++)
        for (size_t j = 0; j < r->n_accounts; j++)
            if (!strcmp(r->accounts[j]->user_id, pl->items[i].user_id))
                json_array_append_new(*out,
                                      clinical_user_json(r->accounts[j], &pl->items[i], ou->name));
    if (r)
        identity__clinical_get_accounts_reply__free_unpacked(r, NULL);
    free(ids);
    return err;
}

cm_err clinical_users_search(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_profile_list pl = {0};
    struct clinical_ou ou;
    json_t *params = NULL, *reason = NULL, *users = NULL;
    const char *service, *iid;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err != CM_OK)
        goto done;
    service = clinical_str(params, "service");
    iid = clinical_str(params, "iid");
    if (!service || !service[0]) {
        clinical_reason(&reason, "service", "Missing value");
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    ou = caller.ou;
    if (iid && strcmp(iid, caller.ou.name)) {
        err = clinical_caller_may(rq, &caller, iid, 0);
        if (err == CM_OK && clinical_ou_by_name(rq->w, iid, &ou) != CM_OK)
            err = cm_fail(rq, CM_EDENIED, "not authorized");
    }
    if (err == CM_OK)
        err = store_clinical_profiles_by_service(rq->w->pg, ou.id, service, &pl);
    if (err == CM_OK)
        err = records(rq, &pl, &ou, &users);
    if (err == CM_OK)
        clinical_reply_ok(rq, out, 200, json_pack("{s:O}", "users", users));
    else if (!rq->detail[0])
        cm_fail(rq, err, "the users could not be read, retry later");
done:
    json_decref(users);
    store_clinical_profile_list_free(&pl);
    json_decref(params);
    return err;
}
