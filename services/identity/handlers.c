/* handlers.c: identity's typed RPCs and start-up work. */
#include "handlers.h"

#include <sodium.h>
#include <string.h>

#include "bootstrap_admin.h"
#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_outbox.h"
#include "identity.pb-c.h"
#include "signing_keys.h"
#include "store.h"
#include "totp_keys.h"

/* How long the edge may reuse a positive answer. */
#define API_KEY_CACHE_TTL_MS 30000

static const char *change_name(enum api_client_change change)
{
    switch (change) {
    case API_CLIENT_CREATED:
        return "created";
    case API_CLIENT_KEY_ROTATED:
        return "key_rotated";
    case API_CLIENT_RESTORED:
        return "restored";
    default:
        return "unchanged";
    }
}

/* Ensures the bootstrap API user and, when that changed anything, records
 * ApiClientChanged in the outbox: both in one transaction. */
static cm_err ensure_bootstrap_user(PGconn *pg, const char *api_user_id, const char *key)
{
    Identity__ApiClientChanged ev = IDENTITY__API_CLIENT_CHANGED__INIT;
    struct api_client_upsert up = {0};
    char event_id[37] = "";
    cm_err err;

    err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = store_api_client_upsert(pg, api_user_id, key, "bootstrap", &up);
    if (err == CM_OK && up.change != API_CLIENT_UNCHANGED) {
        ev.client_id = up.id;
        ev.api_user_id = (char *)api_user_id;
        ev.change = (char *)change_name(up.change);
        ev.occurred_at = up.occurred_at;
        err = cm_outbox_add(pg, IDENTITY_EVT_API_CLIENT_CHANGED, &ev.base, event_id);
    }
    err = cm_pg_end(pg, err);
    if (err != CM_OK) {
        cm_error("bootstrap API user could not be ensured: %s", cm_err_name(err));
    } else if (up.change != API_CLIENT_UNCHANGED) {
        cm_info("bootstrap API user %s (event %s)", change_name(up.change), event_id);
    } else {
        cm_info("bootstrap API user unchanged");
    }
    return err;
}

cm_err identity_on_start(const struct cm_config *cfg, PGconn *pg)
{
    /* libsodium is ready (cm_service_main); keys are loaded by identity_state_new */
    cm_err err = bootstrap_admin_ensure(cfg, pg);
    if (err != CM_OK || !cfg->bootstrap_api_user[0])
        return err;
    if (strlen(cfg->bootstrap_api_key) < 16) {
        cm_error("BOOTSTRAP_API_KEY must have at least 16 characters");
        return CM_EINVAL;
    }
    return ensure_bootstrap_user(pg, cfg->bootstrap_api_user, cfg->bootstrap_api_key);
}

cm_err rpc_authenticate_api_key(struct cm_worker *w, const Envelope__RpcRequest *req,
                                uint8_t **out_payload, size_t *out_len)
{
    Identity__AuthenticateApiKeyRequest *in;
    Identity__AuthenticateApiKeyReply out = IDENTITY__AUTHENTICATE_API_KEY_REPLY__INIT;
    Envelope__Principal p = ENVELOPE__PRINCIPAL__INIT;
    uint8_t hash[API_KEY_HASH_BYTES];
    struct api_client client;
    char *roles[API_CLIENT_MAX_ROLES];
    cm_err err;

    in = identity__authenticate_api_key_request__unpack(NULL, req->payload.len,
                                                        req->payload.data);
    if (!in)
        return CM_EINVAL;
    if (!in->api_key[0] || strlen(in->api_key) > 512 || strlen(in->user_id) > 128) {
        identity__authenticate_api_key_request__free_unpacked(in, NULL);
        return CM_EDENIED;
    }
    store_api_key_hash(in->api_key, hash);
    if (in->user_id[0])
        err = store_api_client_by_user(w->pg, in->user_id, &client);
    else
        err = store_api_client_by_hash(w->pg, hash, &client);
    if (err == CM_OK && sodium_memcmp(hash, client.key_hash, API_KEY_HASH_BYTES) != 0)
        err = CM_EDENIED;
    if (err == CM_ENOTFOUND)
        err = CM_EDENIED;
    identity__authenticate_api_key_request__free_unpacked(in, NULL);
    if (err != CM_OK)
        return err;
    p.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT;
    p.user_id = client.api_user_id;
    p.client_id = client.id;
    p.organization_id = client.organization_id;
    /* the client acts in its organization with its roles (cm_principal.h) */
    for (int i = 0; i < client.nroles; i++)
        roles[i] = client.roles[i];
    p.roles = roles;
    p.n_roles = (size_t)client.nroles;
    out.principal = &p;
    out.cache_ttl_ms = API_KEY_CACHE_TTL_MS;
    *out_payload = cm_pack(&out.base, out_len);
    return CM_OK;
}
