/* handlers_registration.c: registration invitations (#112-#114): an
 * organization invites an email address to sign up. The invitation is
 * recorded first, then the email goes out through messaging
 * (onboarding_notify.h); the person claims it by signing up with its code
 * as referral-code. Who: as onboarding requests (an admin of the
 * organization, the platform admin, or a provider of it); others get 404
 * and empty lists. */
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_pg.h"
#include "cm_principal.h"
#include "codes.h"
#include "handlers.h"
#include "input.h"
#include "onboarding_access.h"
#include "onboarding_events.h"
#include "onboarding_notify.h"
#include "peers.h"
#include "request_json.h"
#include "store_invitations.h"
#include "validate.h"

#define ATTRS "/data/attributes"
#define CODE_TRIES 3

/* The organization an invitation request is about: given, else the
 * caller's current one. */
static const char *org_of(struct cm_req *rq, const char *given)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    if (given && given[0])
        return given;
    return p->organization_id && cm_uuid_valid(p->organization_id) ? p->organization_id : "";
}

cm_err reg_invitations_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"invited-email", "organization-id", NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    char given[CM_UUID_LEN + 1] = "", code[CODE_ID_GENERATED_LEN + 1], id[37];
    const char *email = NULL, *org;
    struct inv_rec n = {0};
    struct inv_list l = {0};
    struct org_facts facts;
    json_t *doc = NULL, *attrs;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, INV_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = input_checked_str(rq, attrs, ATTRS, "invited-email", 1, 255, validate_email,
                                "an email address", &email);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTRS, "organization-id", 0, given);
    if (err != CM_OK)
        goto done;
    org = org_of(rq, given);
    if (!org[0]) {
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/organization-id", NULL,
                         "organization-id is required (the caller has no current organization)");
        goto done;
    }
    err =
        onboarding_may_onboard(rq, org) ? peers_get_organization(rq->w, org, &facts) : CM_ENOTFOUND;
    if (err == CM_OK && !facts.is_active)
        err = CM_ENOTFOUND;
    if (err != CM_OK) {
        err = err == CM_ENOTFOUND
                  ? cm_fail_at(rq, err, ATTRS "/organization-id", NULL, "no such organization")
                  : cm_fail(rq, err, "the organization could not be read, retry later");
        goto done;
    }
    /* 1. the invitation, 2. its email */
    n.organization_id = org;
    n.invited_email = email;
    n.created_by = p->user_id ? p->user_id : "";
    err = CM_ECONFLICT;
    for (int t = 0; t < CODE_TRIES && err == CM_ECONFLICT; t++) {
        codes_new_id(code);
        n.code = code;
        err = cm_pg_begin(rq->w->pg);
        if (err == CM_OK)
            err = store_inv_insert(rq->w->pg, &n, &l);
        if (err == CM_OK)
            err = event_invitation(rq->w->pg, "created", l.items[0].id, org, "");
        err = cm_pg_end(rq->w->pg, err);
    }
    if (err == CM_OK) {
        snprintf(id, sizeof id, "%s", l.items[0].id);
        err = notify_registration(rq->w, &l.items[0]);
    }
    store_inv_list_free(&l);
    if (err == CM_OK)
        err = store_inv_get(rq->w->pg, id, &l);
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the invitation could not be saved");
        goto done;
    }
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(invitation_resource(&l.items[0])));
done:
    store_inv_list_free(&l);
    json_decref(doc);
    return err;
}

cm_err reg_invitations_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"organization-id", "filter[organization-id]", "page[limit]",
                                        "page[offset]", NULL};
    char a[CM_UUID_LEN + 1], b[CM_UUID_LEN + 1];
    struct inv_list l = {0};
    long limit = 100, offset = 0;
    const char *org;
    json_t *data;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", a);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[organization-id]", b);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err != CM_OK)
        return err;
    org = org_of(rq, a[0] ? a : b);
    if (org[0] && onboarding_may_onboard(rq, org)) {
        err = store_inv_list(rq->w->pg, org, limit, offset, &l);
        if (err != CM_OK)
            return cm_fail(rq, err, "the invitations could not be read");
    }
    data = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(data, invitation_resource(&l.items[i]));
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    store_inv_list_free(&l);
    return CM_OK;
}

cm_err reg_invitations_read(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    struct inv_list l = {0};
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    err = id && cm_uuid_valid(id) ? store_inv_get(rq->w->pg, id, &l) : CM_ENOTFOUND;
    if (err == CM_OK && !onboarding_may_onboard(rq, l.items[0].organization_id)) {
        store_inv_list_free(&l);
        err = CM_ENOTFOUND;
    }
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such registration invitation");
    if (err != CM_OK)
        return cm_fail(rq, err, "the invitation could not be read");
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(invitation_resource(&l.items[0])));
    store_inv_list_free(&l);
    return CM_OK;
}
