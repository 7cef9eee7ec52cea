/* onboarding_notify.c: an onboarding request's invitation
 * (onboarding_notify.h), rendered by messaging from the organization's
 * template of the kind (README "Delivery"). The code is in the message;
 * addresses and bodies are never logged. */
#include "onboarding_notify.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_log.h"
#include "cm_time.h"
#include "peers.h"

/* Where an invite is stored: an onboarding request's channel, or an
 * invitation's last_invite. */
static cm_err store_invite(struct cm_worker *w, const char *id, const char *channel,
                           const char *text, int registration)
{
    return registration ? store_inv_sent(w->pg, id, text)
                        : store_req_invite(w->pg, id, channel, text);
}

/* Stores invite {id, type, status, error, created-time, respond-time}. */
static cm_err record_in(struct cm_worker *w, int registration, const char *req_id,
                        const char *channel, const char *msg_id, const char *status,
                        const char *error, const char *created, const char *responded)
{
    json_t *o =
        json_pack("{s:o, s:s, s:s, s:o, s:s, s:o}", "id",
                  msg_id[0] ? json_string(msg_id) : json_null(), "type", channel, "status", status,
                  "error", error[0] ? json_string(error) : json_null(), "created-time", created,
                  "respond-time", responded[0] ? json_string(responded) : json_null());
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    cm_err err = text ? store_invite(w, req_id, channel, text, registration) : CM_ENOMEM;

    json_decref(o);
    free(text);
    return err;
}

#define record(w, ...) record_in(w, 0, __VA_ARGS__)

/* The link of an invitation: ONBOARDING_URL (default
 * https://app.example.com/onboarding) with ?code=<code>. */
static void invite_url(const char *code, char *out, size_t cap)
{
    const char *base = getenv("ONBOARDING_URL");

    snprintf(out, cap, "%s?code=%s", base && base[0] ? base : ONBOARDING_URL_DEFAULT, code);
}

/* The person's locale of request r: communication-preferences' "locale"
 * when it is one messaging knows, else "" (the organization's en_US). */
static void request_locale(const struct req_rec *r, char out[16])
{
    json_t *prefs =
        r->communication_preferences[0] ? json_loads(r->communication_preferences, 0, NULL) : NULL;
    const char *l = json_string_value(json_object_get(prefs, "locale"));

    out[0] = '\0';
    if (l && (!strcmp(l, "en_US") || !strcmp(l, "es_US")))
        snprintf(out, 16, "%s", l);
    json_decref(prefs);
}

cm_err notify_invite(struct cm_worker *w, const struct req_rec *r, const char *channel)
{
    int sms = !strcmp(channel, "sms");
    const char *to = sms ? r->phone_number : r->patient_email;
    const char *kind =
        !strcmp(r->onboard_type, "provider") ? NOTIFY_KIND_PROVIDER : NOTIFY_KIND_PATIENT;
    struct org_facts org;
    const char *name = "";
    char url[1024], locale[16], created[40], responded[40], msg_id[37] = "",
                                                            detail[PEER_DETAIL_MAX] = "";
    const char *keys[] = {"url", "code", "organization_name"};
    const char *values[3];
    struct peer_template_msg m = {channel, to,   kind,  r->organization_id, locale, "",
                                  3,       keys, values};
    cm_err err, sent;

    if (!to[0])
        return CM_EINVAL;
    cm_time_rfc3339_now(created);
    /* 1. the intent: this send is "created" before messaging is asked */
    err = record(w, r->id, channel, "", "created", "", created, "");
    if (err != CM_OK)
        return err;
    if (peers_get_organization(w, r->organization_id, &org) == CM_OK)
        name = org.display_name[0] ? org.display_name : org.name;
    invite_url(r->code, url, sizeof url);
    request_locale(r, locale);
    values[0] = url;
    values[1] = r->code;
    values[2] = name;
    /* 2. the send, rendered by messaging (an SMS's url becomes a short link) */
    sent = peers_deliver_template(w, &m, msg_id, detail);
    cm_time_rfc3339_now(responded);
    if (sent != CM_OK)
        cm_warn("onboarding request %s: %s invitation failed: %s", r->id, channel,
                cm_err_name(sent));
    /* 3. its result */
    return record(w, r->id, channel, msg_id, sent == CM_OK ? "sent" : "error",
                  sent == CM_OK ? "" : (detail[0] ? detail : cm_err_name(sent)), created,
                  responded);
}

cm_err notify_registration(struct cm_worker *w, const struct inv_rec *i)
{
    struct org_facts org;
    const char *name = "";
    char url[1024], created[40], responded[40], msg_id[37] = "", detail[PEER_DETAIL_MAX] = "";
    const char *keys[] = {"url", "code", "organization_name"};
    const char *values[3];
    struct peer_template_msg m = {
        "email", i->invited_email, NOTIFY_KIND_REGISTRATION, i->organization_id, "", "", 3, keys,
        values};
    cm_err err, sent;

    cm_time_rfc3339_now(created);
    err = record_in(w, 1, i->id, "email", "", "created", "", created, "");
    if (err != CM_OK)
        return err;
    if (peers_get_organization(w, i->organization_id, &org) == CM_OK)
        name = org.display_name[0] ? org.display_name : org.name;
    invite_url(i->code, url, sizeof url);
    values[0] = url;
    values[1] = i->code;
    values[2] = name;
    sent = peers_deliver_template(w, &m, msg_id, detail);
    cm_time_rfc3339_now(responded);
    if (sent != CM_OK)
        cm_warn("registration invitation %s: email failed: %s", i->id, cm_err_name(sent));
    return record_in(w, 1, i->id, "email", msg_id, sent == CM_OK ? "sent" : "error",
                     sent == CM_OK ? "" : (detail[0] ? detail : cm_err_name(sent)), created,
                     responded);
}
