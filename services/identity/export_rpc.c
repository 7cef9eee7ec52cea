/* export_rpc.c: identity.rpc.ExportUsers (export_rpc.h): one page of users,
 * in id order, with their memberships and role names, for authz's
 * re-population of its projection. The page's SQL is here, with the one
 * handler that uses it. */
#include "export_rpc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "cm_pg.h"
#include "identity.pb-c.h"

#define PACK_OVERHEAD 8 /* a repeated field's tag and length, per user */

/* Up to limit + 1 users after after_id (NULL: from the start), with
 * "memberships" as JSON text [{"o": org id, "r": [role names]}]. The result
 * to *out (caller PQclear). */
static cm_err select_page(PGconn *pg, const char *after_id, unsigned limit, PGresult **out)
{
    char lim[16];
    const char *values[2] = {after_id, lim};
    PGresult *res;
    cm_err err;

    snprintf(lim, sizeof lim, "%u", limit + 1);
    res = PQexecParams(
        pg,
        "SELECT u.id::text AS id, u.username, u.email, u.first_name, u.last_name, u.enabled, "
        "u.is_platform_admin, "
        "(SELECT coalesce(json_agg(json_build_object('o', m.organization_id, 'r', "
        "  (SELECT coalesce(json_agg(r.name ORDER BY r.name), '[]'::json) FROM role_users ru "
        "   JOIN roles r ON r.id = ru.role_id "
        "   WHERE ru.user_id = u.id AND r.organization_id = m.organization_id)) "
        "  ORDER BY m.organization_id), '[]'::json) "
        " FROM user_organizations m WHERE m.user_id = u.id)::text AS memberships "
        "FROM users u WHERE ($1::uuid IS NULL OR u.id > $1::uuid) ORDER BY u.id LIMIT $2::int",
        2, NULL, values, NULL, NULL, 0);
    err = cm_pg_result_err(res);
    if (err != CM_OK) {
        PQclear(res);
        return err;
    }
    *out = res;
    return CM_OK;
}

/* The memberships of one exported user, from the JSON of select_page. The
 * arrays are cm_xmalloc'd (free_memberships); the strings are borrowed
 * from json, which must outlive them. */
static void fill_memberships(Identity__ExportedUser *u, const json_t *json)
{
    size_t i, j, n = json_array_size(json);
    const json_t *m, *r;

    u->n_memberships = n;
    u->memberships = n ? cm_xcalloc(n, sizeof *u->memberships) : NULL;
    json_array_foreach(json, i, m)
    {
        Identity__ExportedMembership *em = cm_xmalloc(sizeof *em);
        const json_t *roles = json_object_get(m, "r");

        identity__exported_membership__init(em);
        em->organization_id = (char *)(json_string_value(json_object_get(m, "o"))
                                           ? json_string_value(json_object_get(m, "o"))
                                           : "");
        em->n_role_names = json_array_size(roles);
        em->role_names = em->n_role_names ? cm_xcalloc(em->n_role_names, sizeof(char *)) : NULL;
        json_array_foreach(roles, j, r) em->role_names[j] =
            (char *)(json_string_value(r) ? json_string_value(r) : "");
        u->memberships[i] = em;
    }
}

static void free_memberships(Identity__ExportedUser *u)
{
    for (size_t i = 0; i < u->n_memberships; i++) {
        free(u->memberships[i]->role_names);
        free(u->memberships[i]);
    }
    free(u->memberships);
}

static const char *col(const PGresult *res, int row, const char *name)
{
    int c = PQfnumber(res, name);
    return c < 0 ? "" : PQgetvalue(res, row, c);
}

cm_err rpc_export_users(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                        size_t *out_len)
{
    Identity__ExportUsersRequest *in;
    Identity__ExportUsersReply reply = IDENTITY__EXPORT_USERS_REPLY__INIT;
    Identity__ExportedUser *users = NULL, **ptrs = NULL;
    json_t **memberships = NULL;
    PGresult *res = NULL;
    size_t budget = 0;
    int rows = 0, n = 0;
    cm_err err;

    in = identity__export_users_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ExportUsersRequest");
    if (in->limit < 1 || in->limit > EXPORT_LIMIT_MAX)
        err = cm_rpc_fail(w, CM_EINVAL, "limit must be 1 to %d", EXPORT_LIMIT_MAX);
    else if (in->after_id[0] && !cm_uuid_valid(in->after_id))
        err = cm_rpc_fail(w, CM_EINVAL, "after_id must be a uuid or empty");
    else
        err = select_page(w->pg, in->after_id[0] ? in->after_id : NULL, in->limit, &res);
    if (err != CM_OK)
        goto done;
    rows = PQntuples(res);
    users = cm_xcalloc((size_t)rows + 1, sizeof *users);
    ptrs = cm_xcalloc((size_t)rows + 1, sizeof *ptrs);
    memberships = cm_xcalloc((size_t)rows + 1, sizeof *memberships);
    for (int i = 0; i < rows && i < (int)in->limit; i++) {
        Identity__ExportedUser *u = &users[i];
        size_t size;

        identity__exported_user__init(u);
        u->id = (char *)col(res, i, "id");
        u->username = (char *)col(res, i, "username");
        u->email = (char *)col(res, i, "email");
        u->first_name = (char *)col(res, i, "first_name");
        u->last_name = (char *)col(res, i, "last_name");
        u->enabled = col(res, i, "enabled")[0] == 't';
        u->platform_admin = col(res, i, "is_platform_admin")[0] == 't';
        memberships[i] = json_loads(col(res, i, "memberships"), 0, NULL);
        fill_memberships(u, memberships[i]);
        size = identity__exported_user__get_packed_size(u) + PACK_OVERHEAD;
        if (n > 0 && budget + size > EXPORT_REPLY_BUDGET) {
            free_memberships(u); /* this one starts the next page */
            break;
        }
        budget += size;
        ptrs[n++] = u;
    }
    reply.users = ptrs;
    reply.n_users = (size_t)n;
    reply.more = rows > n;
    *out_payload = cm_pack(&reply.base, out_len);
done:
    for (int i = 0; i < n; i++)
        free_memberships(ptrs[i]);
    for (int i = 0; memberships && i < rows; i++)
        json_decref(memberships[i]);
    free(memberships);
    free(ptrs);
    free(users);
    PQclear(res);
    identity__export_users_request__free_unpacked(in, NULL);
    return err;
}
