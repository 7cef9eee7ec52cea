/* find_users_rpc.c: identity.rpc.FindUsers (proto/identity.proto): the
 * accounts of one organization named by email, username or id, with their
 * role names there. Messaging's clinical API resolves recipients, senders
 * and `user_id`s through it; only members of the organization ever come
 * back, so nothing crosses organizations. The statement is here, beside its
 * only caller; names travel to Postgres as one JSON parameter each. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cm_alloc.h"
#include "cm_nats.h"
#include "cm_pg.h"
#include "handlers.h"
#include "identity.pb-c.h"

#define FIND_USERS_MAX 1000 /* names of all kinds in one request */

/* One row per member matched, or one row with an empty id when the
 * organization exists but nobody matched; no row: no such organization. */
#define UUID_RE "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'"

/* One row per member matched, or one row with an empty id when the
 * organization exists but nobody matched; no row: no such organization.
 * Each kind of name is looked up through its own index (lower(email),
 * username, the primary key); text that is no uuid is never cast. */
static const char find_sql[] =
    "WITH o AS (SELECT id, name FROM organizations WHERE "
    "           ($1 <> '' AND id = (CASE WHEN $1 ~* " UUID_RE " THEN $1::uuid END)) "
    "        OR ($1 = '' AND name = $2)), "
    "m AS (SELECT u.id FROM users u WHERE lower(u.email) IN "
    "        (SELECT lower(x) FROM jsonb_array_elements_text($3::jsonb) x) "
    "      UNION SELECT u.id FROM users u WHERE u.username IN "
    "        (SELECT lower(x) FROM jsonb_array_elements_text($4::jsonb) x) "
    "      UNION SELECT u.id FROM users u WHERE u.id IN "
    "        (SELECT x::uuid FROM jsonb_array_elements_text($5::jsonb) x WHERE x ~* " UUID_RE ")) "
    "SELECT o.id AS org_id, o.name AS org_name, u.id, u.username, u.email, u.first_name, "
    "       u.last_name, u.enabled, "
    "       COALESCE((SELECT json_agg(r.name ORDER BY r.name) FROM role_users ru "
    "                 JOIN roles r ON r.id = ru.role_id "
    "                 WHERE ru.user_id = u.id AND r.organization_id = o.id), '[]') AS roles "
    "FROM o LEFT JOIN user_organizations uo "
    "       ON uo.organization_id = o.id AND uo.user_id IN (SELECT id FROM m) "
    "LEFT JOIN users u ON u.id = uo.user_id "
    "ORDER BY u.username NULLS FIRST";

/* The n strings of v as a JSON array text (caller frees). */
static char *json_list(char **v, size_t n)
{
    json_t *a = json_array();
    char *s;

    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i] ? v[i] : ""));
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (!s)
        abort(); /* jansson fails only when out of memory: cm_xmalloc's policy */
    return s;
}

/* The role names of row i (a JSON array text) into u (strings cm_xstrdup'd). */
static void fill_roles(Identity__FoundUser *u, const char *roles)
{
    json_t *a = json_loads(roles, 0, NULL);
    size_t n = json_is_array(a) ? json_array_size(a) : 0;

    u->n_role_names = n;
    u->role_names = n ? cm_xcalloc(n, sizeof *u->role_names) : NULL;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        u->role_names[i] = cm_xstrdup(s ? s : "");
    }
    json_decref(a);
}

static uint8_t *render(const PGresult *res, size_t *out_len)
{
    Identity__FindUsersReply reply = IDENTITY__FIND_USERS_REPLY__INIT;
    int rows = PQntuples(res);
    Identity__FoundUser *users = cm_xcalloc((size_t)rows + 1, sizeof *users);
    Identity__FoundUser **ptrs = cm_xcalloc((size_t)rows + 1, sizeof *ptrs);
    size_t n = 0;
    uint8_t *payload;

    reply.organization_id = (char *)cm_pg_col(res, 0, "org_id");
    reply.organization_name = (char *)cm_pg_col(res, 0, "org_name");
    for (int i = 0; i < rows; i++) {
        Identity__FoundUser *u = &users[n];

        if (!cm_pg_col(res, i, "id")[0])
            continue;
        identity__found_user__init(u);
        u->id = (char *)cm_pg_col(res, i, "id");
        u->username = (char *)cm_pg_col(res, i, "username");
        u->email = (char *)cm_pg_col(res, i, "email");
        u->first_name = (char *)cm_pg_col(res, i, "first_name");
        u->last_name = (char *)cm_pg_col(res, i, "last_name");
        u->enabled = cm_pg_bool(res, i, "enabled");
        fill_roles(u, cm_pg_col(res, i, "roles"));
        ptrs[n++] = u;
    }
    reply.n_users = n;
    reply.users = ptrs;
    payload = cm_pack(&reply.base, out_len);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < users[i].n_role_names; k++)
            free(users[i].role_names[k]);
        free(users[i].role_names);
    }
    free(users);
    free(ptrs);
    return payload;
}

cm_err rpc_find_users(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                      size_t *out_len)
{
    Identity__FindUsersRequest *in;
    PGresult *res = NULL;
    char *lists[3] = {NULL, NULL, NULL};
    const char *values[5];
    cm_err err;

    in = identity__find_users_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed FindUsersRequest");
    if (!in->organization_id[0] && !in->organization_name[0])
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id or organization_name is required");
    else if (in->n_emails + in->n_usernames + in->n_user_ids > FIND_USERS_MAX)
        err = cm_rpc_fail(w, CM_EINVAL, "at most %d names", FIND_USERS_MAX);
    else
        err = CM_OK;
    if (err != CM_OK) {
        identity__find_users_request__free_unpacked(in, NULL);
        return err;
    }
    lists[0] = json_list(in->emails, in->n_emails);
    lists[1] = json_list(in->usernames, in->n_usernames);
    lists[2] = json_list(in->user_ids, in->n_user_ids);
    values[0] = in->organization_id;
    values[1] = in->organization_name;
    values[2] = lists[0];
    values[3] = lists[1];
    values[4] = lists[2];
    err = cm_pg_query(w->pg, find_sql, 5, values, &res);
    if (err == CM_OK && PQntuples(res) == 0)
        err = cm_rpc_fail(w, CM_ENOTFOUND, "no such organization");
    else if (err != CM_OK)
        err = cm_rpc_fail(w, err, "the users could not be read");
    if (err == CM_OK)
        *out_payload = render(res, out_len);
    PQclear(res);
    for (int i = 0; i < 3; i++)
        free(lists[i]);
    identity__find_users_request__free_unpacked(in, NULL);
    return err;
}
