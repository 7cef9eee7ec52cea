/* routes.c: the URL families of the three API documents and their owners.
 * /v1 and /v2 families are the first two path segments; the clinical
 * messaging API (/api/<date>/...) belongs to messaging and the privacy API
 * (/configure/...) to privacy. Both of those require credentials at the edge,
 * and /api takes API clients only (but for the few operations of
 * api_persons.h, open to a person's own Bearer token); the public short
 * links (/s/<code>) go to messaging without any;
 * /v1 operations decide for themselves (login and sign-up are anonymous). */
#include "routes.h"

#include <string.h>

#define JSONAPI ENVELOPE__SURFACE__SURFACE_JSONAPI
#define V(family, svc) {family, svc, svc ".http", JSONAPI, 0, 0}

/* Sorted by family (strcmp order) for binary search. */
static const struct edge_route v_routes[] = {
    V("/v1/aggregation-requests", "privacy"),
    V("/v1/anonymous-accesses", "privacy"),
    V("/v1/api-clients", "identity"), /* not in the seed: organization service accounts */
    V("/v1/archive-requests", "privacy"),
    V("/v1/authenticate", "identity"),
    V("/v1/authz-get-accessible-resources", "authz"),
    V("/v1/authz-individuals", "authz"),
    V("/v1/authz-resource-access", "authz"),
    V("/v1/authz-resource-accessors", "authz"),
    V("/v1/authz-user-status", "authz"),
    V("/v1/bulk-authz-resource-access", "authz"),
    V("/v1/confirm-forgot-password", "identity"),
    V("/v1/confirm-sign-up", "onboarding"),
    V("/v1/deletion-requests", "privacy"),
    V("/v1/email-logs", "messaging"),
    V("/v1/features", "identity"),
    V("/v1/feedback-comments", "messaging"),
    V("/v1/forgot-password", "identity"), /* not in the seed: starts a password reset */
    V("/v1/impersonation-requests", "identity"),
    V("/v1/individual-group-individuals", "authz"),
    V("/v1/individual-group-leaders", "authz"),
    V("/v1/individual-group-logs", "authz"),
    V("/v1/individual-groups", "authz"),
    V("/v1/individuals", "authz"),
    V("/v1/internal-auth", "identity"),
    V("/v1/login", "identity"),
    V("/v1/mfa-totp", "identity"),
    V("/v1/oauth2-client-settings", "identity"),
    V("/v1/oauth2-launcher", "identity"),
    V("/v1/oauth2-redirector", "identity"),
    V("/v1/oauth2-tokens", "identity"),
    V("/v1/onboarding-info", "onboarding"),
    V("/v1/onboarding-requests", "onboarding"),
    V("/v1/onboarding-texts", "onboarding"),
    V("/v1/organization-code-info", "onboarding"),
    V("/v1/organization-codes", "onboarding"),
    V("/v1/organization-email-templates", "messaging"),
    V("/v1/organization-features", "identity"),
    V("/v1/organization-general-messages", "messaging"),
    V("/v1/organization-sms-templates", "messaging"),
    V("/v1/organization-themes", "identity"),
    V("/v1/organizations", "identity"),
    V("/v1/password-strength", "identity"),
    V("/v1/purge-data", "privacy"),
    V("/v1/refresh-token", "identity"),
    V("/v1/registration-invitations", "onboarding"),
    V("/v1/replicators", "identity"),
    V("/v1/resend-invitation", "onboarding"),
    V("/v1/role-users", "identity"),
    V("/v1/roles", "identity"),
    V("/v1/saml-acs", "identity"),
    V("/v1/saml-login", "identity"),
    V("/v1/service-documents", "onboarding"),
    V("/v1/sessions", "identity"),
    V("/v1/sign-up", "onboarding"),
    V("/v1/synthetic-user-tokens", "identity"),
    V("/v1/url-shorteners", "messaging"),
    V("/v1/user-activities", "identity"),
    V("/v1/user-checkins", "onboarding"),
    V("/v1/user-features", "identity"),
    V("/v1/user-organizations", "identity"),
    V("/v1/user-replications", "identity"),
    V("/v1/users", "identity"),
    V("/v2/individual-groups", "authz"),
    V("/v2/internal-auth", "identity"),
};

/* The clinical API's callers are API clients (the seed: API user id + key):
 * a person's Bearer token is refused on every /api operation. */
static const struct edge_route api_route = {"/api", "messaging", "messaging.http",
                                            ENVELOPE__SURFACE__SURFACE_CUREATR, 1, 1};
static const struct edge_route configure_route = {"/configure", "privacy", "privacy.http",
                                                  ENVELOPE__SURFACE__SURFACE_OKAYA, 1, 0};
/* Public short links (messaging's url-shorteners): /s/<code> redirects. */
static const struct edge_route short_link_route = {"/s", "messaging", "messaging.http", JSONAPI, 0,
                                                   0};

/* Compares the family f with the first len bytes of key. */
static int family_cmp(const char *f, const char *key, size_t len)
{
    int c = strncmp(f, key, len);
    return c ? c : (f[len] != '\0');
}

const struct edge_route *edge_route_lookup(const char *path)
{
    size_t len, lo = 0, hi = sizeof v_routes / sizeof v_routes[0];
    const char *end;

    if (!strncmp(path, "/api/", 5))
        return &api_route;
    if (!strncmp(path, "/configure/", 11))
        return &configure_route;
    if (!strncmp(path, "/s/", 3))
        return &short_link_route;
    if (strncmp(path, "/v1/", 4) && strncmp(path, "/v2/", 4))
        return NULL;
    end = strchr(path + 4, '/');
    len = end ? (size_t)(end - path) : strlen(path);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = family_cmp(v_routes[mid].family, path, len);
        if (c == 0)
            return &v_routes[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct edge_route *edge_route_at(size_t i)
{
    size_t n = sizeof v_routes / sizeof v_routes[0];

    if (i < n)
        return &v_routes[i];
    if (i == n)
        return &api_route;
    if (i == n + 1)
        return &configure_route;
    if (i == n + 2)
        return &short_link_route;
    return NULL;
}

int edge_route_streams_body(const char *method, size_t method_len, const char *path, size_t len)
{
    static const char tail[] = "/attachment";
    const char *date;
    size_t n;

    if (method_len != 4 || memcmp(method, "POST", 4) || len < 5 || memcmp(path, "/api/", 5))
        return 0;
    date = path + 5;
    n = len - 5;
    if (n && date[n - 1] == '/')
        n--; /* a trailing slash is optional, as in cm_router */
    for (size_t i = 0; i < n; i++)
        if (date[i] == '/')
            return n - i == sizeof tail - 1 && !memcmp(date + i, tail, sizeof tail - 1) && i > 0;
    return 0;
}
