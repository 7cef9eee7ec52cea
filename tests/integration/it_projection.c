/* it_projection.c: the shared steps of authz's projection suites
 * (it_projection.h). */
#include "it_projection.h"

#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_nats.h"

char *ap_sql(const char *sql, int n, const char *const *params)
{
    PGconn *pg = it_pg();
    char *v = it_pg_value(pg, sql, n, params);

    PQfinish(pg);
    return v;
}

void ap_wait_sql(const char *what, const char *sql, int n, const char *const *params,
                 const char *want, double timeout_ms)
{
    double until = it_now_ms() + timeout_ms;
    PGconn *pg = it_pg();
    char *v = NULL;
    int same;

    for (;;) {
        free(v);
        v = it_pg_value(pg, sql, n, params);
        same = want ? v && !strcmp(v, want) : !v;
        if (same || it_now_ms() > until)
            break;
        usleep(50 * 1000);
    }
    PQfinish(pg);
    cr_assert(same, "%s: %s after %.0f ms, want %s", what, v ? v : "NULL", timeout_ms,
              want ? want : "NULL");
    free(v);
}

void ap_role_id(const char *token, const char *org, const char *name, char *out)
{
    char path[256];
    struct it_resp r;
    json_t *doc, *item;
    size_t i;

    out[0] = '\0';
    snprintf(path, sizeof path, "/v1/roles/?organization-id=%s", org);
    it_call_token(&r, "GET", path, token, NULL);
    cr_assert(eq(long, r.status, 200), "roles: %.300s", r.body);
    doc = it_json(&r);
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        const char *n =
            json_string_value(json_object_get(json_object_get(item, "attributes"), "name"));
        if (n && !strcmp(n, name))
            snprintf(out, 37, "%s", json_string_value(json_object_get(item, "id")));
    }
    json_decref(doc);
    it_resp_release(&r);
    cr_assert(out[0] != '\0', "no role %s in %s", name, org);
}

void ap_org_member(const char *token, const char *org, const char *action, const char *user,
                   const char *role_id)
{
    char path[256], body[512];
    struct it_resp r;

    if (role_id)
        snprintf(body, sizeof body,
                 "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"user-id\":\"%s\","
                 "\"role-id\":\"%s\"}}}",
                 user, role_id);
    else
        snprintf(body, sizeof body,
                 "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"user-id\":\"%s\"}}}",
                 user);
    snprintf(path, sizeof path, "/v1/organizations/%s/%s/", org, action);
    it_call_token(&r, "POST", path, token, body);
    cr_assert(eq(long, r.status, 201), "%s: %.300s", action, r.body);
    it_resp_release(&r);
}

void ap_give_role(const char *token, const char *user, const char *role_id)
{
    char body[512];
    struct it_resp r;

    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"role-users\",\"attributes\":{\"role-id\":\"%s\","
             "\"user-id\":\"%s\"}}}",
             role_id, user);
    it_call_token(&r, "POST", "/v1/role-users/", token, body);
    cr_assert(eq(long, r.status, 201), "role-users: %.300s", r.body);
    it_resp_release(&r);
}

long ap_status(const char *token, const char *id, json_t **attrs)
{
    char path[512];
    struct it_resp r;
    json_t *doc, *data;
    long status;

    snprintf(path, sizeof path, "/v1/authz-user-status/%s/", id);
    it_call_token(&r, "GET", path, token, NULL);
    status = r.status;
    if (status == 200 && attrs) {
        doc = it_json(&r);
        data = json_object_get(doc, "data");
        cr_assert(
            eq(str, (char *)json_string_value(json_object_get(data, "type")), "authz-user-status"),
            "%.300s", r.body);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(data, "id")), (char *)id));
        *attrs = json_incref(json_object_get(data, "attributes"));
        cr_assert(it_true(json_is_object(*attrs)), "%.300s", r.body);
        json_decref(doc);
    } else if (status != 200) {
        it_assert_error_style(&r, "jsonapi", status);
    }
    it_resp_release(&r);
    return status;
}

int ap_wait_up_to_date(const char *token, const char *id, int want, double timeout_ms)
{
    double until = it_now_ms() + timeout_ms;

    for (;;) {
        json_t *attrs = NULL;
        int got;

        cr_assert(eq(long, ap_status(token, id, &attrs), 200));
        got = json_is_true(json_object_get(attrs, "up-to-date"));
        json_decref(attrs);
        if (got == want)
            return 1;
        if (it_now_ms() > until)
            return 0;
        usleep(100 * 1000);
    }
}

int ap_repopulate(Authz__RepopulateReply **out)
{
    Authz__RepopulateRequest rq = AUTHZ__REPOPULATE_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    natsConnection *nc = NULL;
    uint8_t *payload;
    size_t len;
    cm_err err;
    int code;

    cr_assert(eq(int,
                 cm_nats_connect(it_env("TEST_NATS_URL"), "test-projection", 1, NULL, &nc),
                 CM_OK));
    payload = cm_pack(&rq.base, &len);
    err = cm_nats_rpc(nc, "authz.rpc.Repopulate", "test-projection", NULL, payload, len, 30000,
                      &reply);
    free(payload);
    cm_nats_close(nc, 1000);
    cr_assert(eq(int, err, CM_OK), "authz.rpc.Repopulate: %s", cm_err_name(err));
    code = reply->code;
    if (code == CM_OK) {
        *out = authz__repopulate_reply__unpack(NULL, reply->payload.len, reply->payload.data);
        cr_assert(ne(ptr, *out, NULL), "RepopulateReply unpacks");
    }
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return code;
}
