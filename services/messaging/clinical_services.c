/* clinical_services.c: an OU's services (admin/services/{ou}) and the
 * pagers assigned to them (pager/service) in the clinical messaging API.
 * Reading needs an API client of the OU (or of an ancestor); changing
 * needs one with the admin role. */
#include "clinical_services.h"

#include <ctype.h>
#include <string.h>

#include "clinical_body.h"
#include "cm_body.h"
#include "store_clinical_services.h"

cm_err clinical_target_ou(struct cm_req *rq, const struct clinical_caller *caller,
                          const char *name, int manage, struct clinical_ou *ou)
{
    cm_err err;

    if (!name || !name[0])
        name = caller->ou.name;
    err = clinical_caller_may(rq, caller, name, manage);
    if (err != CM_OK)
        return err;
    err = clinical_ou_by_name(rq->w, name, ou);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "OU [%.200s] not found", name);
    if (err != CM_OK)
        return cm_fail(rq, err, "identity is unavailable, retry later");
    return CM_OK;
}

cm_err clinical_services_read(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_ou ou;
    json_t *services = NULL;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_target_ou(rq, &caller, cm_req_param(rq, "ou"), 0, &ou);
    if (err == CM_OK) {
        err = store_clinical_services_get(rq->w->pg, ou.id, &services);
        if (err != CM_OK)
            return cm_fail(rq, err, "the services could not be read, retry later");
        clinical_reply_ok(rq, out, 200, json_pack("{s:o}", "services", services));
    }
    return err;
}

/* A service name: a string of 1 to 255 characters. */
static int service_name_ok(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 0 &&
           cm_body_utf8_chars(json_string_value(v)) <= 255;
}

/* Reads {services: [...], user_updates: {old: [new...]}} into a new
 * services array without duplicates and a new user_updates object (values
 * made arrays); reasons for what is wrong. */
static void services_input(const json_t *p, json_t **services, json_t **updates, json_t **reason)
{
    json_t *list = NULL, *e, *u = json_object_get(p, "user_updates");
    const char *key;
    size_t i;

    *services = json_array();
    *updates = json_object();
    if (clinical_list(p, "services", &list) != 0)
        clinical_reason(reason, "services", "must be a list of service names");
    else if (!list)
        clinical_reason(reason, "services", "Missing value");
    json_array_foreach(list, i, e) {
        int dup = 0;
        if (!service_name_ok(e)) {
            clinical_reason(reason, "services", "service names have 1 to 255 characters");
            break;
        }
        for (size_t j = 0; j < json_array_size(*services); j++)
            dup |= json_equal(json_array_get(*services, j), e);
        if (!dup)
            json_array_append(*services, e);
    }
    json_decref(list);
    if (u && !json_is_object(u)) {
        clinical_reason(reason, "user_updates", "must be an object of service: [services]");
        return;
    }
    json_object_foreach(u, key, e) {
        json_t *news = json_is_string(e) ? json_pack("[O]", e) : json_deep_copy(e);
        size_t k;
        json_t *n;
        if (!json_is_array(news)) {
            clinical_reason(reason, "user_updates", "must be an object of service: [services]");
            json_decref(news);
            return;
        }
        json_array_foreach(news, k, n) {
            int listed = 0;
            for (size_t j = 0; j < json_array_size(*services); j++)
                listed |= json_equal(json_array_get(*services, j), n);
            if (!listed)
                clinical_reason(reason, "user_updates",
                                "every new service must be in services");
        }
        json_object_set_new(*updates, key, news);
    }
}

cm_err clinical_services_update(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_ou ou;
    json_t *params = NULL, *services = NULL, *updates = NULL, *reason = NULL, *warnings = NULL;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_target_ou(rq, &caller, cm_req_param(rq, "ou"), 1, &ou);
    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err != CM_OK)
        goto done;
    services_input(params, &services, &updates, &reason);
    if (reason) {
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    warnings = json_array();
    err = store_clinical_services_put(rq->w->pg, ou.id, services, updates, warnings);
    if (err != CM_OK) {
        cm_fail(rq, err, "the services could not be saved, retry later");
        goto done;
    }
    clinical_reply_ok(rq, out, 200,
                      json_pack("{s:O, s:O}", "services", services, "warnings", warnings));
done:
    json_decref(warnings);
    json_decref(services);
    json_decref(updates);
    json_decref(params);
    return err;
}

cm_err clinical_pagers_list(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_ou ou;
    json_t *params = NULL, *pagers = NULL;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err == CM_OK)
        err = clinical_target_ou(rq, &caller, clinical_str(params, "iid"), 0, &ou);
    if (err == CM_OK) {
        err = store_clinical_pagers_get(rq->w->pg, ou.id, &pagers);
        if (err == CM_OK)
            clinical_reply_ok(rq, out, 200, json_pack("{s:o}", "pagers", pagers));
        else
            cm_fail(rq, err, "the pagers could not be read, retry later");
    }
    json_decref(params);
    return err;
}

/* 3 to 32 digits, '+' or '-'. */
static int pager_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 3 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && s[i] != '+' && s[i] != '-')
            return 0;
    return 1;
}

cm_err clinical_pagers_update(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_ou ou;
    json_t *params = NULL, *reason = NULL;
    const char *pager, *service;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err != CM_OK)
        goto done;
    pager = clinical_str(params, "pager_number");
    service = clinical_str(params, "service");
    if (!pager || !pager[0])
        clinical_reason(&reason, "pager_number", "Missing value");
    else if (!pager_ok(pager))
        clinical_reason(&reason, "pager_number", "must be 3 to 32 digits, '+' or '-'");
    if (!service)
        clinical_reason(&reason, "service", "Missing value");
    if (reason) {
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    err = clinical_target_ou(rq, &caller, clinical_str(params, "iid"), 1, &ou);
    if (err == CM_OK) {
        err = store_clinical_pager_set(rq->w->pg, ou.id, pager, service);
        if (err == CM_ENOTFOUND) {
            err = CM_OK;
            clinical_reason(&reason, "service", "must be a service of the OU");
            clinical_reply_invalid(rq, out, reason);
        } else if (err == CM_OK)
            clinical_reply_ok(rq, out, 200, NULL);
        else
            cm_fail(rq, err, "the pager could not be saved, retry later");
    }
done:
    json_decref(params);
    return err;
}
