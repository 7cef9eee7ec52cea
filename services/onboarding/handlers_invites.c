/* handlers_invites.c: resend-invitation (#117) and onboarding-texts
 * update-status (#74), the two operations around an onboarding request's
 * invitations that are not under /v1/onboarding-requests/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "input.h"
#include "onboarding_access.h"
#include "onboarding_notify.h"
#include "request_flow.h"
#include "store_requests.h"
#include "validate.h"

#define ATTRS "/data/attributes"

static const char *const channels[] = {"email", "sms", NULL};
static const char *const sms_states[] = {"sent", "delivered", "failed", "undelivered", NULL};

cm_err resend_invitation(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"email", "new-email", "notifications", "username", NULL};
    const char *email = NULL, *new_email = NULL, *username = NULL, *who;
    char *notifications = NULL;
    struct req_list l = {0}, after = {0};
    const struct req_rec *r;
    json_t *body = NULL, *a;
    size_t i;
    json_t *c;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_json_object(rq, allowed, &body);
    if (err == CM_OK)
        err = input_checked_str(rq, body, "", "email", 0, 255, validate_email, "an email address",
                                &email);
    if (err == CM_OK)
        err = input_checked_str(rq, body, "", "new-email", 0, 255, validate_email,
                                "an email address", &new_email);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "username", 0, 0, 255, &username);
    if (err == CM_OK)
        err = input_string_array(rq, body, "", "notifications", 2, 16, channels, &notifications);
    who = username ? username : email;
    if (err == CM_OK && !who)
        err = cm_fail_at(rq, CM_EINVAL, "/username", NULL, "username (or email) is required");
    if (err != CM_OK)
        goto done;
    /* the person's open onboarding request, in an organization the caller
     * onboards into; others look like none */
    err = store_req_find_open(rq->w->pg, who, &l);
    if (err == CM_OK && !onboarding_may_onboard(rq, l.items[0].organization_id))
        err = CM_ENOTFOUND;
    if (err == CM_ENOTFOUND) {
        err = cm_fail_at(rq, err, username ? "/username" : "/email", NULL,
                         "no open onboarding request for this person");
        goto done;
    }
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the onboarding request could not be read");
        goto done;
    }
    r = &l.items[0];
    if (new_email) {
        err = request_flow_update(rq->w->pg, r->id, new_email, NULL, NULL, &after);
        if (err != CM_OK) {
            err = cm_fail(rq, err, "the onboarding request could not be saved");
            goto done;
        }
        r = &after.items[0];
    }
    /* the channels asked, else the request's; email when neither says */
    a = json_loads(notifications ? notifications : r->notifications, 0, NULL);
    if (json_array_size(a) == 0)
        json_array_append_new(a, json_string(r->patient_email[0] ? "email" : "sms"));
    json_array_foreach(a, i, c)
    {
        const char *ch = json_string_value(c);
        if (err == CM_OK && ((!strcmp(ch, "email") && r->patient_email[0]) ||
                             (!strcmp(ch, "sms") && r->phone_number[0])))
            err = notify_invite(rq->w, r, ch);
    }
    json_decref(a);
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the invitation could not be recorded");
        goto done;
    }
    cm_resp_json(
        out, rq, 201,
        json_pack("{s:s, s:s}", "signup-request-id", r->id, "signup-request-type", "onboard"));
done:
    store_req_list_free(&after);
    store_req_list_free(&l);
    free(notifications);
    json_decref(body);
    return err;
}

cm_err onboarding_texts_update_status(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id"), *status = NULL, *error = NULL;
    struct req_list l = {0};
    json_t *doc = NULL, *data, *attrs;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    /* the seed's data.type is a free string: the body is read by hand */
    err = cm_req_json_object(rq, (const char *const[]){"data", NULL}, &doc);
    if (err != CM_OK)
        return err;
    data = json_object_get(doc, "data");
    attrs = json_object_get(data, "attributes");
    if (!json_is_object(data) || (attrs && !json_is_object(attrs))) {
        err = cm_fail_at(rq, CM_EINVAL, "/data", NULL, "data must be an object with attributes");
        goto done;
    }
    if (json_object_get(data, "id") &&
        (!json_is_string(json_object_get(data, "id")) ||
         strcmp(json_string_value(json_object_get(data, "id")), id ? id : ""))) {
        err = cm_fail_at(rq, CM_EINVAL, "/data/id", NULL, "data.id must be the path's id");
        goto done;
    }
    if (attrs) {
        const char *key;
        json_t *v;
        json_object_foreach(attrs, key, v)
        {
            if (strcmp(key, "status") && strcmp(key, "error")) {
                err = cm_fail_at(rq, CM_EINVAL, ATTRS, NULL, "unknown attribute %.64s", key);
                goto done;
            }
        }
        err = input_enum(rq, attrs, ATTRS, "status", sms_states, &status);
        if (err == CM_OK)
            err = cm_json_str(rq, attrs, ATTRS, "error", 0, 1, 255, &error);
        if (err != CM_OK)
            goto done;
    }
    /* the request whose last SMS invitation this is, when the caller
     * administers its organization (a gateway's API client) */
    err = id && cm_uuid_valid(id) ? store_req_by_sms(rq->w->pg, id, &l) : CM_ENOTFOUND;
    if (err == CM_OK && !cm_principal_org_admin(rq, l.items[0].organization_id))
        err = CM_ENOTFOUND;
    if (err == CM_ENOTFOUND) {
        err = cm_fail(rq, err, "no such text message");
        goto done;
    }
    if (err == CM_OK)
        err = store_req_sms_status(rq->w->pg, l.items[0].id, id, status ? status : "delivered",
                                   error ? error : "");
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the status could not be saved");
        goto done;
    }
    cm_resp_json(out, rq, 201, json_object());
done:
    store_req_list_free(&l);
    json_decref(doc);
    return err;
}
