/* repopulate.c: the full re-population of authz's projection from
 * identity.rpc.ExportUsers (repopulate.h): paging over NATS here, the SQL
 * in projection_store.c. */
#include "repopulate.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_peer.h"
#include "identity.pb-c.h"

#define EXPORT_SUBJECT "identity.rpc.ExportUsers"

/* One exported user as a JSON object of the page projection_store_page
 * takes; NULL when jansson fails. */
static json_t *user_json(const Identity__ExportedUser *u)
{
    json_t *ms = json_array(), *o;

    for (size_t i = 0; ms && i < u->n_memberships; i++) {
        const Identity__ExportedMembership *m = u->memberships[i];
        json_t *roles = json_array();

        for (size_t j = 0; roles && j < m->n_role_names; j++)
            json_array_append_new(roles, json_string(m->role_names[j]));
        json_array_append_new(ms, json_pack("{s:s, s:o*}", "o", m->organization_id, "r", roles));
    }
    o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o*}", "id", u->id, "username", u->username,
                  "email", u->email, "first_name", u->first_name, "last_name", u->last_name,
                  "enabled", u->enabled, "platform_admin", u->platform_admin, "m", ms);
    return o;
}

/* Asks identity, as this service (cm_peer_ask_from; from the RPC worker
 * or the projection's thread, with its log context's request id), for the
 * page after after_id; the unpacked reply to *out (caller
 * identity__export_users_reply__free_unpacked). A failure is logged by
 * cm_peer, and by repopulate_run with the pages done. */
static cm_err fetch_page(natsConnection *nc, const struct cm_config *cfg, const char *after_id,
                         Identity__ExportUsersReply **out)
{
    Identity__ExportUsersRequest rq = IDENTITY__EXPORT_USERS_REQUEST__INIT;
    struct cm_peer_from self = {nc, cfg->service, cm_log_request_id(), cfg->rpc_timeout_ms};
    ProtobufCMessage *m = NULL;
    cm_err err;

    rq.after_id = (char *)after_id;
    rq.limit = REPOPULATE_PAGE;
    err = cm_peer_ask_from(&self, EXPORT_SUBJECT, &rq.base,
                           &identity__export_users_reply__descriptor, &m, NULL, 0);
    if (err == CM_OK)
        *out = (Identity__ExportUsersReply *)m;
    return err;
}

/* Writes one reply's users; remembers the last id in after_id (37 bytes). */
static cm_err write_page(PGconn *pg, const Identity__ExportUsersReply *page, const char *started,
                         struct repopulate_result *out, char *after_id)
{
    json_t *users = json_array();
    unsigned written = 0, skipped = 0;
    cm_err err = users ? CM_OK : CM_ENOMEM;

    for (size_t i = 0; err == CM_OK && i < page->n_users; i++) {
        json_t *u = user_json(page->users[i]);
        if (!u || json_array_append_new(users, u) != 0)
            err = CM_ENOMEM;
    }
    if (err == CM_OK && page->n_users > 0)
        err = projection_store_page(pg, users, started, &written, &skipped);
    if (err == CM_OK && page->n_users > 0) {
        out->users += written;
        out->skipped += skipped;
        snprintf(after_id, 37, "%s", page->users[page->n_users - 1]->id);
    }
    json_decref(users);
    return err;
}

cm_err repopulate_run(PGconn *pg, natsConnection *nc, const struct cm_config *cfg,
                      const atomic_int *stop, struct repopulate_result *out)
{
    struct repopulate_result r = {0};
    char started[PROJECTION_TIME_LEN], after_id[37] = "";
    int more = 1, pages = 0;
    cm_err err = projection_store_lock(pg);

    if (err != CM_OK)
        return err;
    err = projection_store_now(pg, started);
    cm_info("repopulate: started");
    while (err == CM_OK && more) {
        Identity__ExportUsersReply *page = NULL;

        if (stop && atomic_load(stop)) {
            err = CM_EUNAVAIL;
            break;
        }
        err = fetch_page(nc, cfg, after_id, &page);
        if (err == CM_OK) {
            err = write_page(pg, page, started, &r, after_id);
            more = page->more && page->n_users > 0;
            pages++;
        }
        identity__export_users_reply__free_unpacked(page, NULL);
    }
    if (err == CM_OK)
        err = projection_store_finish(pg, started, &r.removed, r.last_populated_at);
    projection_store_unlock(pg);
    if (err != CM_OK) {
        cm_warn("repopulate: stopped after %d pages: %s", pages, cm_err_name(err));
        return err;
    }
    cm_info("repopulate: done, %u users written, %u left to newer events, %u removed", r.users,
            r.skipped, r.removed);
    *out = r;
    return CM_OK;
}
