/* handlers_users_events.c: the events of user changes, written to the
 * outbox in the caller's transaction: UserChanged (IDENTITY_EVT_USER +
 * verb, with the platform-admin flag) and, when sessions are revoked,
 * SessionRevoked. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_outbox.h"
#include "handlers.h"
#include "identity.pb-c.h"
#include "revoke.h"
#include "store.h"

cm_err users_event(PGconn *pg, const char *user_id, const char *change)
{
    Identity__UserChanged ev = IDENTITY__USER_CHANGED__INIT;
    struct user_target target;
    char subject[96];
    struct user_facts facts = {0};
    const struct user_facts_rec *f;
    json_t *orgs = NULL, *o;
    char **ids = NULL;
    size_t i, n = 0;
    cm_err err = store_user_target(pg, user_id, "", NULL, &target);

    ev.platform_admin = err == CM_OK && target.is_platform_admin;
    sodium_memzero(&target, sizeof target); /* it holds the password hash */
    if (err == CM_OK)
        err = store_user_facts(pg, user_id, &facts);
    if (err != CM_OK)
        return err;
    f = &facts.items[0];
    orgs = json_loads(f->organization_ids, 0, NULL);
    n = json_array_size(orgs);
    ids = calloc(n ? n : 1, sizeof *ids);
    if (!ids) {
        err = CM_ENOMEM;
        goto done;
    }
    json_array_foreach(orgs, i, o)
        ids[i] = (char *)(json_string_value(o) ? json_string_value(o) : "");
    ev.user_id = (char *)user_id;
    ev.change = (char *)change;
    ev.username = (char *)f->username;
    ev.email = (char *)f->email;
    ev.first_name = (char *)f->first_name;
    ev.last_name = (char *)f->last_name;
    ev.enabled = f->enabled;
    ev.n_organization_ids = n;
    ev.organization_ids = ids;
    ev.occurred_at = (char *)f->occurred_at;
    snprintf(subject, sizeof subject, "%s%s", IDENTITY_EVT_USER, change);
    err = cm_outbox_add(pg, subject, &ev.base, NULL);
    /* the replicators this event feeds now hold the user (replication.h) */
    if (err == CM_OK && !strcmp(change, "created"))
        err = replication_on_user_created(pg, user_id);
done:
    free(ids);
    json_decref(orgs);
    store_user_facts_free(&facts);
    return err;
}

cm_err users_revoke_sessions(PGconn *pg, const char *user_id, const char *reason)
{
    return revoke_user_tokens(pg, user_id, reason, REVOKE_SESSIONS_ALL, NULL);
}
