/* handlers_saml.c: SAML 2.0 SP-initiated sign-in (handlers_saml.h): the
 * login sends the browser to the organization's identity provider with an
 * AuthnRequest; the ACS takes the signed Response back, verifies it
 * (saml_xml.c), refuses replays, and starts a session of the account
 * (sso_account.h). */
#include "handlers_saml.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_body.h"
#include "cm_jsonapi.h"
#include "client_addr.h"
#include "handlers.h"
#include "oidc_http.h"
#include "public_url.h"
#include "saml_xml.h"
#include "sso_account.h"
#include "store_saml.h"

#define REQUEST_TTL_S 600
#define SAML_RESPONSE_MAX 99999

cm_err saml_login(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"domain", "email-address", "next", NULL};
    char domain[1024], email[1024], next[1024], acs[512], path[128], id[40];
    unsigned char raw[16];
    struct saml_provider_rec *p = NULL;
    char *req = NULL, *ereq = NULL, *url = NULL;
    size_t n;
    cm_err err = cm_query_known(rq, known);

    if (err == CM_OK)
        err = cm_query_text(rq, "domain", 255, domain, sizeof domain);
    if (err == CM_OK && (!domain[0] || strpbrk(domain, "@/ ")))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "domain", "domain must be an email domain");
    if (err == CM_OK)
        err = cm_query_text(rq, "email-address", 255, email, sizeof email);
    if (err == CM_OK)
        err = cm_query_text(rq, "next", 255, next, sizeof next);
    if (err == CM_OK && next[0] && (next[0] != '/' || next[1] == '/' || next[1] == '\\'))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "next", "next must be a path on this site");
    if (err != CM_OK)
        return err;
    for (char *c = domain; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    err = store_saml_provider_by_domain(rq->w->pg, domain, &p);
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, err, NULL, "domain", "no organization signs in with this domain");
    if (err != CM_OK)
        return err;
    snprintf(path, sizeof path, "/v1/saml-acs/%s/acs/", p->id);
    err = public_url(rq, path, acs, sizeof acs);
    if (err == CM_OK) {
        randombytes_buf(raw, sizeof raw);
        id[0] = '_';
        sodium_bin2hex(id + 1, sizeof id - 1, raw, sizeof raw);
        err = store_saml_request_add(rq->w->pg, id, p->id, next, REQUEST_TTL_S);
    }
    if (err == CM_OK) {
        req = saml_authn_request_encoded(id, (int64_t)time(NULL), p->idp_sso_url, acs,
                                         p->sp_entity_id);
        if (!req)
            err = cm_fail(rq, CM_EINTERNAL, "the SAML request cannot be made");
    }
    if (err == CM_OK) {
        ereq = oidc_http_escape(req);
        n = strlen(p->idp_sso_url) + strlen(ereq) + 16;
        url = cm_xmalloc(n);
        snprintf(url, n, "%s%cSAMLRequest=%s", p->idp_sso_url,
                 strchr(p->idp_sso_url, '?') ? '&' : '?', ereq);
        cm_resp_redirect(out, rq, 302, url);
    }
    free(req);
    free(ereq);
    free(url);
    free(p);
    return err;
}

/* SAMLResponse and RelayState of the body (form or JSON; other members
 * allowed). *out_params caller json_decref. */
static cm_err acs_read(struct cm_req *rq, json_t **out_params, const char **response)
{
    char e[128];
    const char *ctype = cm_req_header(rq, "content-type");
    cm_err err = cm_body_parse(ctype, (const char *)rq->http->body.data, rq->http->body.len,
                               out_params, e, sizeof e);

    if (err != CM_OK)
        return cm_fail(rq, err, "%s", e);
    *response = cm_body_get_str(*out_params, "SAMLResponse");
    if (!*response || !**response)
        return cm_fail_at(rq, CM_EINVAL, "/SAMLResponse", NULL, "SAMLResponse is required");
    if (strlen(*response) > SAML_RESPONSE_MAX)
        return cm_fail_at(rq, CM_EINVAL, "/SAMLResponse", NULL,
                          "SAMLResponse must be at most %d characters", SAML_RESPONSE_MAX);
    return CM_OK;
}

cm_err saml_acs(struct cm_req *rq, struct cm_resp *out)
{
    const char *pid = cm_req_param(rq, "id"), *b64 = NULL;
    char acs[512], path[128], detail[160], user_id[40], next[256] = "";
    struct saml_provider_rec *p = NULL;
    struct saml_assertion a;
    json_t *params = NULL, *resp = NULL;
    unsigned char *xml = NULL;
    size_t xml_len = 0;
    cm_err err;

    if (!pid || !cm_uuid_valid(pid))
        return cm_fail(rq, CM_ENOTFOUND, "no such SAML provider");
    err = store_saml_provider_get(rq->w->pg, pid, &p);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such SAML provider");
    if (err != CM_OK)
        return err;
    err = acs_read(rq, &params, &b64);
    if (err == CM_OK) {
        xml = cm_xmalloc(strlen(b64) + 1);
        if (sodium_base642bin(xml, strlen(b64), b64, strlen(b64), " \r\n\t", &xml_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
            err = cm_fail_at(rq, CM_EINVAL, "/SAMLResponse", NULL, "SAMLResponse is not base64");
    }
    snprintf(path, sizeof path, "/v1/saml-acs/%s/acs/", p->id);
    if (err == CM_OK)
        err = public_url(rq, path, acs, sizeof acs);
    if (err == CM_OK) {
        struct saml_expect e = {p->idp_entity_id, p->idp_cert_pem, p->sp_entity_id, acs};
        err = saml_response_verify((const char *)xml, xml_len, &e, (int64_t)time(NULL), &a,
                                   detail, sizeof detail);
        if (err != CM_OK)
            cm_fail_at(rq, err, err == CM_EINVAL ? "/SAMLResponse" : NULL, NULL, "%s", detail);
    }
    if (err == CM_OK) {
        struct sso_identity who = {p->idp_entity_id, p->organization_id, p->account_policy,
                                   a.name_id, a.name_id, strchr(a.name_id, '@') != NULL, "", ""};
        err = cm_pg_begin(rq->w->pg);
        if (err == CM_OK) {
            err = store_saml_seen_add(rq->w->pg, p->id, a.id, a.not_on_or_after);
            if (err == CM_ECONFLICT)
                err = cm_fail(rq, CM_EUNAUTH, "the SAML assertion was already used");
        }
        if (err == CM_OK && !a.in_response_to[0])
            err = cm_fail(rq, CM_EUNAUTH, "unsolicited SAML responses are not accepted");
        if (err == CM_OK) {
            err = store_saml_request_take(rq->w->pg, a.in_response_to, p->id, next);
            if (err == CM_ENOTFOUND)
                err = cm_fail(rq, CM_EUNAUTH, "the SAML response answers no pending request");
        }
        if (err == CM_OK)
            err = sso_account_of(rq, &who, user_id);
        err = cm_pg_end(rq->w->pg, err);
    }
    if (err == CM_OK)
        err = sso_login(rq, user_id, &resp);
    if (err == CM_OK) {
        const char *sid = json_string_value(json_object_get(resp, "session-id"));
        if (sid)
            err = store_saml_session_add(rq->w->pg, sid, p->id, user_id, a.name_id,
                                         a.session_index);
        if (next[0])
            json_object_set_new(resp, "redirect-url", json_string(next));
        if (err == CM_OK)
            auth_respond(rq, out, resp);
        else
            json_decref(resp);
    }
    if (xml)
        sodium_memzero(xml, xml_len);
    free(xml);
    json_decref(params);
    free(p);
    return err;
}

/* The raw (still percent-encoded) value of name in query, into buf; 0 when
 * absent or too long. */
static int raw_param(const char *query, const char *name, char *buf, size_t cap)
{
    size_t k = strlen(name);

    for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (!strncmp(p, name, k) && p[k] == '=') {
            size_t n = strcspn(p + k + 1, "&");
            if (n >= cap)
                return 0;
            memcpy(buf, p + k + 1, n);
            buf[n] = '\0';
            return 1;
        }
    }
    return 0;
}

/* Percent-decodes the NUL-terminated s in place; -1 when malformed or
 * holding a NUL. */
static int pct_decode(char *s)
{
    size_t n = cm_percent_decode(s, s, strlen(s), 1);

    if (n == SIZE_MAX || memchr(s, '\0', n))
        return -1;
    s[n] = '\0';
    return 0;
}

#define RSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define RAW_MAX (SAML_RESPONSE_MAX * 3 + 1)

cm_err saml_logout(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"SAMLRequest", "RelayState", "SigAlg", "Signature", NULL};
    const char *pid = cm_req_param(rq, "id"), *query = rq->http->query;
    char *req = cm_xmalloc(RAW_MAX), *relay = cm_xmalloc(RAW_MAX), alg[512], sig[2048];
    char *signed_text = NULL, *dec = NULL, *xml = NULL, *resp = NULL, *url = NULL, *erelay = NULL;
    char detail[160], id[SAML_ID_MAX], name_id[256], rid[40], users[16][40];
    unsigned char sigbin[1024], raw[16];
    size_t sig_len = 0, xml_len = 0, n;
    struct saml_provider_rec *p = NULL;
    int has_relay, nusers = 0;
    cm_err err = cm_query_known(rq, known);

    if (err == CM_OK && (!pid || !cm_uuid_valid(pid)))
        err = cm_fail(rq, CM_ENOTFOUND, "no such SAML provider");
    if (err == CM_OK) {
        err = store_saml_provider_get(rq->w->pg, pid, &p);
        if (err == CM_ENOTFOUND)
            cm_fail(rq, err, "no such SAML provider");
    }
    if (err == CM_OK && !raw_param(query, "SAMLRequest", req, RAW_MAX))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "SAMLRequest", "SAMLRequest is required");
    has_relay = raw_param(query, "RelayState", relay, RAW_MAX);
    if (err == CM_OK && (!raw_param(query, "SigAlg", alg, sizeof alg) ||
                         !raw_param(query, "Signature", sig, sizeof sig)))
        err = cm_fail(rq, CM_EUNAUTH, "the logout request must be signed (SigAlg, Signature)");
    if (err == CM_OK) { /* the signed octets: the parameters as received */
        n = strlen(req) + strlen(relay) + strlen(alg) + 64;
        signed_text = cm_xmalloc(n);
        snprintf(signed_text, n, "SAMLRequest=%s%s%s&SigAlg=%s", req,
                 has_relay ? "&RelayState=" : "", has_relay ? relay : "", alg);
        if (pct_decode(alg) != 0 || pct_decode(sig) != 0)
            err = cm_fail(rq, CM_EINVAL, "SigAlg or Signature is malformed");
        else if (strcmp(alg, RSA_SHA256))
            err = cm_fail_at(rq, CM_EUNAUTH, NULL, "SigAlg", "SigAlg must be RSA-SHA256");
    }
    if (err == CM_OK &&
        (sodium_base642bin(sigbin, sizeof sigbin, sig, strlen(sig), NULL, &sig_len, NULL,
                           sodium_base64_VARIANT_ORIGINAL) != 0 ||
         !saml_redirect_signature_ok(p->idp_cert_pem, signed_text, strlen(signed_text), sigbin,
                                     sig_len)))
        err = cm_fail_at(rq, CM_EUNAUTH, NULL, "Signature", "the logout request's signature is wrong");
    if (err == CM_OK) {
        dec = cm_xstrdup(req);
        if (pct_decode(dec) != 0 || saml_redirect_inflate(dec, &xml, &xml_len) != CM_OK)
            err = cm_fail_at(rq, CM_EINVAL, NULL, "SAMLRequest", "SAMLRequest is malformed");
    }
    if (err == CM_OK) {
        err = saml_logout_request_parse(xml, xml_len, p->idp_entity_id, (int64_t)time(NULL), id,
                                         name_id, detail, sizeof detail);
        if (err != CM_OK)
            cm_fail_at(rq, err, NULL, "SAMLRequest", "%s", detail);
    }
    if (err == CM_OK) {
        err = cm_pg_begin(rq->w->pg);
        if (err == CM_OK)
            err = store_saml_sessions_end(rq->w->pg, p->id, name_id, users, 16, &nusers);
        for (int i = 0; err == CM_OK && i < nusers; i++)
            err = users_revoke_sessions(rq->w->pg, users[i], "saml_logout");
        err = cm_pg_end(rq->w->pg, err);
    }
    if (err == CM_OK && !p->idp_slo_url[0]) {
        cm_resp_json(out, rq, 200,
                     json_pack("{s:n, s:{s:i}}", "data", "meta", "users-signed-out", nusers));
    } else if (err == CM_OK) {
        randombytes_buf(raw, sizeof raw);
        rid[0] = '_';
        sodium_bin2hex(rid + 1, sizeof rid - 1, raw, sizeof raw);
        resp = saml_logout_response_encoded(rid, id, (int64_t)time(NULL), p->idp_slo_url,
                                            p->sp_entity_id);
        if (!resp)
            err = cm_fail(rq, CM_EINTERNAL, "the logout response cannot be made");
    }
    if (err == CM_OK && resp) {
        char *eresp = oidc_http_escape(resp);
        n = strlen(p->idp_slo_url) + strlen(eresp) + strlen(relay) + 32;
        url = cm_xmalloc(n);
        snprintf(url, n, "%s%cSAMLResponse=%s%s%s", p->idp_slo_url,
                 strchr(p->idp_slo_url, '?') ? '&' : '?', eresp, has_relay ? "&RelayState=" : "",
                 has_relay ? relay : "");
        free(eresp);
        cm_resp_redirect(out, rq, 302, url);
    }
    free(url);
    free(erelay);
    free(req);
    free(relay);
    free(signed_text);
    free(dec);
    free(xml);
    free(resp);
    free(p);
    return err;
}
