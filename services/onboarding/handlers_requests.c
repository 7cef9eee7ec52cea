/* handlers_requests.c: onboarding requests (#69-#73) and onboarding-info
 * (#68). A provider or an organization admin onboards a person into their
 * organization: the request is recorded first (with the account id chosen
 * here when auto-sign-up), then identity creates the account (idempotent:
 * same id → same account) and messaging sends the invitations
 * (onboarding_notify.h). The person claims it by signing up with its code
 * as referral-code (store_req_claim_by_sign_up, at confirmation).
 * Passwords are never stored or logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_principal.h"
#include "codes.h"
#include "handlers.h"
#include "input.h"
#include "onboarding_access.h"
#include "onboarding_notify.h"
#include "peers.h"
#include "request_flow.h"
#include "request_grants.h"
#include "request_json.h"
#include "store_limits.h"
#include "store_requests.h"
#include "validate.h"

#define ATTRS "/data/attributes"
#define GROUPS_MAX 100
#define CODE_TRIES 3

static const char *const onboard_types[] = {"patient", "provider", NULL};
static const char *const channels[] = {"email", "sms", NULL};

/* The request of the path's {id} when the caller may see it (404
 * otherwise; 401 without credentials), into *out (store_req_list_free). */
static cm_err visible_request(struct cm_req *rq, struct req_list *out)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    err = id && cm_uuid_valid(id) ? store_req_get(rq->w->pg, id, out) : CM_ENOTFOUND;
    if (err == CM_OK && !onboarding_may_onboard(rq, out->items[0].organization_id)) {
        store_req_list_free(out);
        err = CM_ENOTFOUND;
    }
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such onboarding request");
    return err != CM_OK ? cm_fail(rq, err, "the onboarding request could not be read") : CM_OK;
}

/* Answers status with request id as it is now. */
static cm_err respond(struct cm_req *rq, struct cm_resp *out, int status, const char *id)
{
    struct req_list l = {0};
    cm_err err = store_req_get(rq->w->pg, id, &l);

    if (err != CM_OK)
        return cm_fail(rq, err, "the onboarding request could not be read");
    cm_resp_json(out, rq, status, cm_jsonapi_doc(request_resource(&l.items[0])));
    store_req_list_free(&l);
    return CM_OK;
}

/* Sends the invitations of r on the channels of channels_json (a JSON
 * array text; every channel with an address when empty and all_if_empty),
 * plus an email when email_now. */
static cm_err invite(struct cm_worker *w, const struct req_rec *r, const char *channels_json,
                     int email_now, int all_if_empty)
{
    json_t *a = json_loads(channels_json ? channels_json : "[]", 0, NULL);
    int email = email_now, sms = 0;
    size_t i;
    json_t *c;
    cm_err err = CM_OK;

    json_array_foreach(a, i, c)
    {
        email |= !strcmp(json_string_value(c), "email");
        sms |= !strcmp(json_string_value(c), "sms");
    }
    if (all_if_empty && json_array_size(a) == 0) {
        email |= r->patient_email[0] != '\0';
        sms |= r->phone_number[0] != '\0';
    }
    json_decref(a);
    if (email && r->patient_email[0])
        err = notify_invite(w, r, "email");
    if (err == CM_OK && sms && r->phone_number[0])
        err = notify_invite(w, r, "sms");
    return err;
}

/* --- create (#70) --- */

struct create_in {
    char organization[CM_UUID_LEN + 1], patient[CM_UUID_LEN + 1], group[CM_UUID_LEN + 1];
    const char *onboard_type, *email, *phone, *username, *password;
    char *groups, *roles, *notifications, *prefs; /* owned JSON texts */
    int auto_sign_up, auto_confirm, email_now;
};

static void create_in_release(struct create_in *in)
{
    free(in->groups);
    free(in->roles);
    free(in->notifications);
    free(in->prefs);
}

/* True when notifications (JSON array text, may be NULL) holds channel. */
static int has_channel(const char *notifications, const char *channel)
{
    char quoted[16];

    snprintf(quoted, sizeof quoted, "\"%s\"", channel);
    return notifications && strstr(notifications, quoted);
}

static cm_err create_read(struct cm_req *rq, const json_t *attrs, struct create_in *in)
{
    json_t *groups;
    size_t i;
    json_t *g;
    cm_err err;

    memset(in, 0, sizeof *in);
    err = cm_json_uuid(rq, attrs, ATTRS, "organization", 1, in->organization);
    if (err == CM_OK)
        err = input_enum(rq, attrs, ATTRS, "onboard-type", onboard_types, &in->onboard_type);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTRS, "patient", 0, in->patient);
    if (err == CM_OK)
        err = input_checked_str(rq, attrs, ATTRS, "patient-email", 0, 255, validate_email,
                                "an email address", &in->email);
    if (err == CM_OK)
        err = input_checked_str(rq, attrs, ATTRS, "phone-number", 0, 30, validate_e164,
                                "an E.164 phone number (+ and 8 to 15 digits)", &in->phone);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTRS, "username", 0, 0, 255, &in->username);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTRS, "password", 0, 0, 255, &in->password);
    if (err == CM_OK)
        err = cm_json_bool(rq, attrs, ATTRS, "auto-sign-up", 0, 0, &in->auto_sign_up);
    if (err == CM_OK)
        err = cm_json_bool(rq, attrs, ATTRS, "auto-confirm", 0, 0, &in->auto_confirm);
    if (err == CM_OK)
        err = cm_json_bool(rq, attrs, ATTRS, "email-user-now", 0, 0, &in->email_now);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTRS, "individual-group-id", 0, in->group);
    if (err == CM_OK)
        err = input_string_array(rq, attrs, ATTRS, "individual-group-ids", GROUPS_MAX, 36, NULL,
                                 &in->groups);
    if (err == CM_OK)
        err = input_string_array(rq, attrs, ATTRS, "provider-roles", 20, 64, NULL, &in->roles);
    if (err == CM_OK)
        err = input_string_array(rq, attrs, ATTRS, "notifications", 2, 16, channels,
                                 &in->notifications);
    if (err == CM_OK)
        err = input_object_text(rq, attrs, ATTRS, "communication-preferences", &in->prefs);
    if (err != CM_OK)
        return err;
    /* the groups: individual-group-ids, plus individual-group-id */
    groups = json_loads(in->groups ? in->groups : "[]", 0, NULL);
    json_array_foreach(groups, i, g)
    {
        if (!cm_uuid_valid(json_string_value(g))) {
            json_decref(groups);
            return cm_fail_at(rq, CM_EINVAL, ATTRS "/individual-group-ids", NULL,
                              "individual-group-ids must hold uuids");
        }
    }
    if (in->group[0])
        json_array_append_new(groups, json_string(in->group));
    free(in->groups);
    in->groups = json_dumps(groups, JSON_COMPACT);
    json_decref(groups);
    if (!in->onboard_type)
        in->onboard_type = "patient";
    if (in->auto_sign_up && !in->username)
        in->username = in->email;
    /* what goes together */
    if (in->auto_sign_up && in->patient[0])
        return cm_fail_at(rq, CM_EINVAL, ATTRS "/patient", NULL,
                          "patient names an existing account: auto-sign-up creates a new one");
    if (in->auto_sign_up && !in->username)
        return cm_fail_at(rq, CM_EINVAL, ATTRS "/username", NULL,
                          "auto-sign-up needs a username (or a patient-email)");
    if (in->auto_sign_up && !in->password)
        return cm_fail_at(rq, CM_EINVAL, ATTRS "/password", NULL, "auto-sign-up needs a password");
    if (!in->auto_sign_up && in->password)
        return cm_fail_at(rq, CM_EINVAL, ATTRS "/password", NULL,
                          "a password is only taken with auto-sign-up");
    if (in->auto_confirm && !in->auto_sign_up)
        return cm_fail_at(rq, CM_EINVAL, ATTRS "/auto-confirm", NULL,
                          "auto-confirm needs auto-sign-up");
    if ((has_channel(in->notifications, "email") || in->email_now) && !in->email)
        return cm_fail_at(rq, CM_EINVAL, ATTRS "/patient-email", NULL,
                          "patient-email is required to notify by email");
    if (has_channel(in->notifications, "sms") && !in->phone)
        return cm_fail_at(rq, CM_EINVAL, ATTRS "/phone-number", NULL,
                          "phone-number is required to notify by sms");
    return CM_OK;
}

/* The account of request r (auto-sign-up), whose intent is recorded
 * (request_flow.h). A refusal undoes the request (4xx); no answer leaves
 * it pending for the sweeper (5xx naming the request). */
static cm_err create_account(struct cm_req *rq, const struct req_rec *r, const char *password)
{
    const char *drop = rq->w->cfg->onboarding_test_drop_create_reply;
    int drop_reply = drop && drop[0] && !strncmp(r->username, drop, strlen(drop));
    char detail[PEER_DETAIL_MAX] = "";
    cm_err err = request_flow_account(rq->w, r, password, drop_reply, detail);

    if (err == CM_EINVAL || err == CM_ECONFLICT || err == CM_ENOTFOUND) {
        if (request_flow_undo(rq->w->pg, r) != CM_OK)
            cm_warn("onboarding request %s: refused by identity, but could not be undone", r->id);
        if (err == CM_EINVAL)
            return cm_fail_at(rq, err, strstr(detail, "password") ? ATTRS "/password" : NULL, NULL,
                              "%s", detail[0] ? detail : "the account was refused");
        if (err == CM_ECONFLICT)
            return cm_fail_at(rq, err, ATTRS "/username", NULL, "this username is taken");
        return cm_fail_at(rq, err, ATTRS "/organization", NULL, "no such organization");
    }
    if (err != CM_OK) {
        cm_info("onboarding request %s: pending, its account is not made yet (%s)", r->id,
                cm_err_name(err));
        return cm_fail(rq, err,
                       "the onboarding request %s is saved but its account is not made yet; it "
                       "is finished in the background",
                       r->id);
    }
    cm_info("onboarding request %s: account %s created", r->id, r->patient);
    return CM_OK;
}

/* CM_EDENIED naming the first role of roles_json (NULL: none) the caller
 * may not give in org (onboarding_may_give_role). */
static cm_err roles_allowed(struct cm_req *rq, const char *org, const char *roles_json)
{
    json_t *roles = roles_json ? json_loads(roles_json, 0, NULL) : NULL, *r;
    size_t i;
    cm_err err = CM_OK;

    json_array_foreach(roles, i, r)
    {
        if (err == CM_OK && !onboarding_may_give_role(rq, org, json_string_value(r)))
            err = cm_fail_at(rq, CM_EDENIED, ATTRS "/provider-roles", NULL,
                             "only an organization admin may give role %s",
                             json_string_value(r));
    }
    json_decref(roles);
    return err;
}

cm_err requests_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"auto-confirm",
                                          "auto-sign-up",
                                          "communication-preferences",
                                          "email-user-now",
                                          "individual-group-id",
                                          "individual-group-ids",
                                          "notifications",
                                          "onboard-type",
                                          "organization",
                                          "password",
                                          "patient",
                                          "patient-email",
                                          "phone-number",
                                          "username",
                                          "provider-roles",
                                          NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    struct create_in in;
    struct req_rec n = {0};
    struct req_list l = {0};
    struct org_facts org;
    char code[CODE_ID_GENERATED_LEN + 1], user_id[37] = "", id[37], detail[PEER_DETAIL_MAX];
    const char *field = "";
    json_t *doc = NULL, *attrs;
    cm_err err = cm_principal_require(rq);

    memset(&in, 0, sizeof in);
    if (err != CM_OK)
        return err;
    err = cm_req_jsonapi(rq, REQ_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = create_read(rq, attrs, &in);
    if (err != CM_OK)
        goto done;
    /* access: unknown and forbidden organizations look the same */
    err = onboarding_may_onboard(rq, in.organization)
              ? peers_get_organization(rq->w, in.organization, &org)
              : CM_ENOTFOUND;
    if (err == CM_OK && !org.is_active)
        err = CM_ENOTFOUND;
    if (err != CM_OK) {
        err = err == CM_ENOTFOUND
                  ? cm_fail_at(rq, err, ATTRS "/organization", NULL, "no such organization")
                  : cm_fail(rq, err, "the organization could not be read, retry later");
        goto done;
    }
    /* roles the caller may give, groups and roles of the organization */
    err = roles_allowed(rq, in.organization, in.roles);
    if (err != CM_OK)
        goto done;
    /* the groups and roles must be the organization's (nothing written) */
    err = request_grants_check(rq->w, in.organization, in.groups, in.roles, &field, detail);
    if (err != CM_OK) {
        err = err == CM_EINVAL
                  ? cm_fail_at(rq, err,
                               strcmp(field, "provider-roles") ? ATTRS "/individual-group-ids"
                                                               : ATTRS "/provider-roles",
                               NULL, "%s", detail)
                  : cm_fail(rq, err, "the groups and roles could not be checked, retry later");
        goto done;
    }
    /* 1. the intent, with the account id when one is to be made */
    if (in.auto_sign_up)
        codes_new_uuid(user_id);
    n.organization_id = in.organization;
    n.onboard_type = in.onboard_type;
    n.created_by = p->user_id ? p->user_id : "";
    n.patient = in.auto_sign_up ? user_id : in.patient;
    n.patient_email = in.email ? in.email : "";
    n.phone_number = in.phone ? in.phone : "";
    n.username = in.username ? in.username : "";
    n.individual_group_ids = in.groups;
    n.provider_roles = in.roles ? in.roles : "[]";
    n.notifications = in.notifications ? in.notifications : "[]";
    n.communication_preferences = in.prefs;
    n.account_step = in.auto_sign_up ? "pending" : "none";
    n.auto_sign_up = in.auto_sign_up;
    n.auto_confirm = in.auto_confirm;
    err = CM_ECONFLICT;
    for (int t = 0; t < CODE_TRIES && err == CM_ECONFLICT; t++) {
        codes_new_id(code);
        n.code = code;
        err = request_flow_insert(rq->w->pg, &n, &l);
    }
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the onboarding request could not be saved");
        goto done;
    }
    snprintf(id, sizeof id, "%s", l.items[0].id);
    cm_info("onboarding request %s: recorded in organization %s", id, in.organization);
    /* 2. the account */
    if (in.auto_sign_up) {
        err = create_account(rq, &l.items[0], in.password);
        if (err != CM_OK)
            goto done;
    }
    /* 3. the invitations: on every channel of notifications, and email now */
    err = invite(rq->w, &l.items[0], n.notifications, in.email_now, 0);
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the invitations could not be recorded");
        goto done;
    }
    err = respond(rq, out, 201, id);
done:
    store_req_list_free(&l);
    create_in_release(&in);
    json_decref(doc);
    return err;
}

/* --- list, read, update, resend --- */

static cm_err add_patient(struct cm_req *rq, const char *value, void *ctx)
{
    json_t *ids = ctx;

    if (!cm_uuid_valid(value))
        return cm_fail_at(rq, CM_EINVAL, NULL, "patient-ids", "patient-ids must hold uuids");
    if (json_array_size(ids) >= 100)
        return cm_fail_at(rq, CM_EINVAL, NULL, "patient-ids", "at most 100 patient-ids");
    json_array_append_new(ids, json_string(value));
    return CM_OK;
}

cm_err requests_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {
        "organization", "email",       "onboard-type", "page[limit]",
        "page[offset]", "patient-ids", "with-invite",  NULL};
    char org[CM_UUID_LEN + 1], email[255 * 4 + 1], type[16 * 4 + 1], *patients = NULL;
    struct req_filter f = {0};
    struct req_list l = {0};
    json_t *ids = json_array(), *data;
    int with_invite = 0;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization", org);
    if (err == CM_OK && !org[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "organization", "organization is required");
    if (err == CM_OK)
        err = cm_query_text(rq, "email", 255, email, sizeof email);
    if (err == CM_OK)
        err = cm_query_text(rq, "onboard-type", 16, type, sizeof type);
    if (err == CM_OK && type[0] && !validate_enum(type, onboard_types))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "onboard-type",
                         "onboard-type must be patient or provider");
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &f.limit, &f.offset);
    if (err == CM_OK)
        err = cm_query_bool(rq, "with-invite", 0, &with_invite);
    if (err == CM_OK)
        err = cm_query_each(rq, "patient-ids", 36, add_patient, ids);
    if (err != CM_OK)
        goto done;
    data = json_array();
    if (onboarding_may_onboard(rq, org)) { /* others: nothing, as if there were none */
        if (json_array_size(ids) > 0)
            patients = json_dumps(ids, JSON_COMPACT);
        f.organization_id = org;
        f.email = email;
        f.onboard_type = type[0] ? type : "patient"; /* the seed's default */
        f.patient_ids = patients;
        err = store_req_list(rq->w->pg, &f, &l);
        if (err != CM_OK) {
            json_decref(data);
            err = cm_fail(rq, err, "the onboarding requests could not be read");
            goto done;
        }
        for (size_t i = 0; i < l.n; i++)
            json_array_append_new(data, request_resource(&l.items[i]));
    }
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
done:
    store_req_list_free(&l);
    free(patients);
    json_decref(ids);
    return err;
}

cm_err requests_read(struct cm_req *rq, struct cm_resp *out)
{
    struct req_list l = {0};
    cm_err err = visible_request(rq, &l);

    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(request_resource(&l.items[0])));
    store_req_list_free(&l);
    return CM_OK;
}

cm_err requests_update(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"email", "patient-email", "phone-number", "notifications",
                                          NULL};
    struct req_list l = {0}, after = {0};
    const char *email = NULL, *email2 = NULL, *phone = NULL;
    char *notifications = NULL;
    json_t *doc = NULL, *attrs;
    cm_err err = visible_request(rq, &l);

    if (err != CM_OK)
        return err;
    err = cm_req_jsonapi(rq, REQ_TYPE, l.items[0].id, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = input_checked_str(rq, attrs, ATTRS, "email", 0, 255, validate_email,
                                "an email address", &email);
    if (err == CM_OK)
        err = input_checked_str(rq, attrs, ATTRS, "patient-email", 0, 255, validate_email,
                                "an email address", &email2);
    if (err == CM_OK)
        err = input_checked_str(rq, attrs, ATTRS, "phone-number", 0, 30, validate_e164,
                                "an E.164 phone number (+ and 8 to 15 digits)", &phone);
    if (err == CM_OK)
        err =
            input_string_array(rq, attrs, ATTRS, "notifications", 2, 16, channels, &notifications);
    if (err == CM_OK && !strcmp(l.items[0].status, "claimed"))
        err = cm_fail(rq, CM_ECONFLICT, "the onboarding request is claimed already");
    if (err == CM_OK) {
        err = request_flow_update(rq->w->pg, l.items[0].id, email ? email : email2, phone,
                                  notifications, &after);
        if (err != CM_OK)
            err = cm_fail(rq, err, "the onboarding request could not be saved");
    }
    if (err == CM_OK)
        cm_resp_json(out, rq, 200, cm_jsonapi_doc(request_resource(&after.items[0])));
    store_req_list_free(&after);
    store_req_list_free(&l);
    free(notifications);
    json_decref(doc);
    return err;
}

cm_err requests_resend(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"notifications", NULL};
    struct req_list l = {0};
    char *notifications = NULL;
    json_t *doc = NULL, *attrs;
    const struct req_rec *r;
    cm_err err = visible_request(rq, &l);

    if (err != CM_OK)
        return err;
    r = &l.items[0];
    err = cm_req_jsonapi(rq, "onboarding-requests-email", NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err =
            input_string_array(rq, attrs, ATTRS, "notifications", 2, 16, channels, &notifications);
    if (err == CM_OK && !strcmp(r->status, "claimed"))
        err = cm_fail(rq, CM_ECONFLICT, "the onboarding request is claimed already");
    if (err == CM_OK && !r->patient_email[0] && !r->phone_number[0])
        err = cm_fail(rq, CM_EINVAL, "the onboarding request has no email or phone number");
    /* the channels asked, else the request's, else every one it has an
     * address for ("whenever possible") */
    if (err == CM_OK) {
        err = invite(rq->w, r, notifications ? notifications : r->notifications, 0, 1);
        if (err != CM_OK)
            err = cm_fail(rq, err, "the invitations could not be recorded");
    }
    if (err == CM_OK)
        err = respond(rq, out, 201, r->id);
    store_req_list_free(&l);
    free(notifications);
    json_decref(doc);
    return err;
}

/* --- onboarding-info (#68), anonymous --- */

cm_err onboarding_info(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"code", "email", "phone-number", NULL};
    const char *code = NULL, *email = NULL, *phone = NULL, *addr = rq->http->remote_addr;
    struct req_list l = {0};
    struct org_facts org;
    json_t *doc = NULL, *attrs;
    int retry = 0;
    cm_err err = cm_req_jsonapi(rq, "onboarding-info", NULL, allowed, &doc, &attrs);

    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTRS, "code", 0, 0, CODE_ID_MAX, &code);
    if (err == CM_OK)
        err = input_checked_str(rq, attrs, ATTRS, "email", 0, 255, validate_email,
                                "an email address", &email);
    if (err == CM_OK)
        err = input_checked_str(rq, attrs, ATTRS, "phone-number", 0, 30, validate_e164,
                                "an E.164 phone number (+ and 8 to 15 digits)", &phone);
    if (err == CM_OK && !(code && code[0]) && !email && !phone)
        err = cm_fail_at(rq, CM_EINVAL, ATTRS, NULL,
                         "one of code, email or phone-number is required");
    if (err != CM_OK)
        goto done;
    /* anonymous lookups share sign-up's limit per client address */
    err = store_limit_take(rq->w->pg, LIMIT_KIND_ADDR, addr && addr[0] ? addr : "unknown",
                           rq->w->cfg->sign_up_addr_limit, LIMIT_ADDR_WINDOW_S, 1, &retry);
    if (err == CM_ELIMIT) {
        err = cm_fail_retry(rq, err, retry, "too many lookups from this address; retry in %d s",
                            retry);
        goto done;
    }
    if (err == CM_OK)
        err =
            store_req_find(rq->w->pg, code ? code : "", email ? email : "", phone ? phone : "", &l);
    if (err == CM_ENOTFOUND) {
        err = cm_fail(rq, err, "no onboarding request for this code, email or phone number");
        goto done;
    }
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the onboarding request could not be read");
        goto done;
    }
    memset(&org, 0, sizeof org);
    if (peers_get_organization(rq->w, l.items[0].organization_id, &org) != CM_OK)
        org.display_name[0] = '\0';
    cm_resp_json(out, rq, 201,
                 cm_jsonapi_doc(request_info_resource(&l.items[0], org.display_name)));
done:
    store_req_list_free(&l);
    json_decref(doc);
    return err;
}
