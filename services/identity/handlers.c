/* handlers.c: identity's typed RPCs and start-up work. */
#include "handlers.h"

#include <sodium.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "identity.pb-c.h"
#include "store.h"

/* How long the edge may reuse a positive answer. */
#define API_KEY_CACHE_TTL_MS 30000

cm_err identity_on_start(const struct cm_config *cfg, PGconn *pg)
{
    cm_err err;

    if (sodium_init() < 0) {
        cm_error("libsodium init failed");
        return CM_EINTERNAL;
    }
    if (!cfg->bootstrap_api_user[0])
        return CM_OK;
    if (strlen(cfg->bootstrap_api_key) < 16) {
        cm_error("BOOTSTRAP_API_KEY must have at least 16 characters");
        return CM_EINVAL;
    }
    err = store_api_client_upsert(pg, cfg->bootstrap_api_user, cfg->bootstrap_api_key,
                                  "bootstrap");
    if (err == CM_OK)
        cm_info("bootstrap API user ensured");
    return err;
}

cm_err rpc_authenticate_api_key(struct cm_worker *w, const Envelope__RpcRequest *req,
                                uint8_t **out_payload, size_t *out_len)
{
    Identity__AuthenticateApiKeyRequest *in;
    Identity__AuthenticateApiKeyReply out = IDENTITY__AUTHENTICATE_API_KEY_REPLY__INIT;
    Envelope__Principal p = ENVELOPE__PRINCIPAL__INIT;
    uint8_t hash[API_KEY_HASH_BYTES];
    struct api_client client;
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
    out.principal = &p;
    out.cache_ttl_ms = API_KEY_CACHE_TTL_MS;
    *out_payload = cm_pack(&out.base, out_len);
    return CM_OK;
}
