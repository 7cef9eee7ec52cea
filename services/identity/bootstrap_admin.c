/* bootstrap_admin.c: the platform admin ensured at start
 * (bootstrap_admin.h). */
#include "bootstrap_admin.h"

#include <sodium.h>
#include <string.h>

#include "cm_log.h"
#include "handlers.h"
#include "password_hash.h"
#include "store.h"
#include "store_auth.h"

cm_err bootstrap_admin_ensure(const struct cm_config *cfg, PGconn *pg)
{
    char hash[PW_HASH_MAX], stored[PW_HASH_MAX], id[40];
    int created = 0, changed = 0;
    const char *change = NULL;
    cm_err err;

    if (!cfg->bootstrap_admin_email || !cfg->bootstrap_admin_email[0])
        return CM_OK;
    if (!cfg->bootstrap_admin_password || !cfg->bootstrap_admin_password[0]) {
        cm_error("BOOTSTRAP_ADMIN_PASSWORD must be set with BOOTSTRAP_ADMIN_EMAIL");
        return CM_EINVAL;
    }
    err = pw_hash(NULL, cfg, cfg->bootstrap_admin_password, hash);
    if (err == CM_OK)
        err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = store_admin_upsert(pg, cfg->bootstrap_admin_email, hash, id, &created, stored);
    if (err == CM_OK && created) {
        change = "created";
    } else if (err == CM_OK) {
        int same = pw_verify(NULL, cfg, stored, cfg->bootstrap_admin_password) == CM_OK;
        err = store_admin_fix(pg, id, same ? NULL : hash, &changed);
        if (changed)
            change = "updated";
    }
    if (err == CM_OK && change)
        err = users_event(pg, id, change);
    sodium_memzero(hash, sizeof hash);
    sodium_memzero(stored, sizeof stored);
    err = cm_pg_end(pg, err);
    if (err != CM_OK) {
        cm_error("bootstrap platform admin could not be ensured: %s", cm_err_name(err));
        return err;
    }
    cm_info("bootstrap platform admin %s", change ? change : "unchanged");
    return CM_OK;
}
