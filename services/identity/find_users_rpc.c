/* find_users_rpc.c: identity.rpc.FindUsers (proto/identity.proto): the
 * accounts of one organization named by email, username or id, with their
 * role names there. Messaging's clinical API resolves recipients, senders
 * and `user_id`s through it; only members of the organization ever come
 * back, so nothing crosses organizations. Input → store
 * (store_find_users.h, records) → the packed reply. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cm_alloc.h"
#include "cm_nats.h"
#include "handlers.h"
#include "identity.pb-c.h"
#include "store_find_users.h"

#define FIND_USERS_MAX 1000 /* names of all kinds in one request */

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

static uint8_t *render(const struct found_user_list *l, size_t *out_len)
{
    Identity__FindUsersReply reply = IDENTITY__FIND_USERS_REPLY__INIT;
    Identity__FoundUser *users = cm_xcalloc(l->n + 1, sizeof *users);
    Identity__FoundUser **ptrs = cm_xcalloc(l->n + 1, sizeof *ptrs);
    size_t n = 0;
    uint8_t *payload;

    reply.organization_id = (char *)l->items[0].org_id;
    reply.organization_name = (char *)l->items[0].org_name;
    for (size_t i = 0; i < l->n; i++) {
        const struct found_user_rec *r = &l->items[i];
        Identity__FoundUser *u = &users[n];

        if (!r->id[0])
            continue;
        identity__found_user__init(u);
        u->id = (char *)r->id;
        u->username = (char *)r->username;
        u->email = (char *)r->email;
        u->first_name = (char *)r->first_name;
        u->last_name = (char *)r->last_name;
        u->enabled = r->enabled;
        fill_roles(u, r->roles);
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
    struct found_user_list found = {0, NULL, NULL};
    char *lists[3] = {NULL, NULL, NULL};
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
    err = store_find_users(w->pg, in->organization_id, in->organization_name, lists[0], lists[1],
                           lists[2], &found);
    if (err == CM_ENOTFOUND)
        err = cm_rpc_fail(w, CM_ENOTFOUND, "no such organization");
    else if (err != CM_OK)
        err = cm_rpc_fail(w, err, "the users could not be read");
    if (err == CM_OK)
        *out_payload = render(&found, out_len);
    store_found_users_free(&found);
    for (int i = 0; i < 3; i++)
        free(lists[i]);
    identity__find_users_request__free_unpacked(in, NULL);
    return err;
}
