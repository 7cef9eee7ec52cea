/* main.c: the identity daemon. Everything but its tables and its state
 * (identity_state.h: keys, the code-mail queue and its thread, the password
 * hashers) is the shared skeleton in libcommon/cm_service.c. */
#include <curl/curl.h>
#include <stdio.h>

#include "handlers.h"
#include "saml_xml.h"
#include "identity_state.h"

#include <vips/vips.h>

/* What checks or hashes a password (argon2id): run on the slow-work pool,
 * never on a request worker (cm_service.h), so that reads do not wait
 * behind a hash. */
static const char *const password_ops[] = {
    "login",           "users.change-password", "confirm-forgot-password",
    "mfa-totp.enable", "mfa-totp.disable",
    "organizations.process-logo-upload", /* image decoding and resizing (logo_image.h) */
    "oauth2-launcher", "oauth2-redirector", /* wait on the OpenID provider (oidc_http.h) */
    NULL,
};
static const char *const password_rpcs[] = {"CreateAccount", "VerifyPassword", NULL};

static const struct cm_service_def identity_service = {
    .name = "identity",
    .ops = identity_ops,
    .rpcs = identity_rpcs,
    .on_start = identity_on_start,
    .state_new = identity_state_new, /* keys, code mail, hashers (identity_state.h) */
    .state_free = identity_state_free,
    .pool_ops = password_ops,
    .pool_rpcs = password_rpcs,
};

int main(void)
{
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: oidc_http.c */
    if (saml_xml_init() != 0) {             /* libxml2 and xmlsec: saml_xml.c */
        fprintf(stderr, "identity: xmlsec cannot start\n");
        return 1;
    }
    /* libvips (organization logos, logo_image.h): one thread per operation
     * and no operation cache, on these small machines */
    if (VIPS_INIT("identity") != 0)
        return 1;
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    rc = cm_service_main(&identity_service);
    vips_shutdown();
    saml_xml_shutdown();
    curl_global_cleanup();
    return rc;
}
