/* handlers_users_export.c: admin.users.list (handlers_users_export.h).
 * Input (ou, children, format) → access (an admin of the OU's
 * organization) → identity's accounts of that organization only, read with
 * identity.rpc.ExportUsers (organization_id set) one page (EXPORT_PAGE
 * users) at a time and written out row by row as a
 * flow-controlled stream (cm_stream.h): neither messaging nor the edge ever
 * holds more than a page and a few chunks, whatever the OU's size. The
 * clinical profile columns are joined per row (profile_of). */
#include "handlers_users_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_principal.h"
#include "cm_stream.h"
#include "identity.pb-c.h"
#include "users_export.h"

#define EXPORT_SUBJECT "identity.rpc.ExportUsers"
#define EXPORT_PAGE 1000 /* identity's largest page */
#define FIRST_PAGE 100   /* a small first page: the status (200 or 204) goes out sooner */

struct export_input {
    char ou[64];
    int children; /* accepted; the OU hierarchy is not modelled yet (README) */
    enum users_export_format format;
};

/* ou (default: the caller's organization), children (true|false, default
 * true), format (csv|json, default csv). */
static cm_err export_input_read(struct cm_req *rq, struct export_input *in)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    char v[64];
    int r;

    memset(in, 0, sizeof *in);
    r = cm_query_get(rq, "ou", in->ou, sizeof in->ou);
    if (r < 0 || (r == 1 && !in->ou[0]))
        return cm_fail_at(rq, CM_EINVAL, NULL, "ou", "invalid ou");
    if (r == 0)
        snprintf(in->ou, sizeof in->ou, "%s", p->organization_id ? p->organization_id : "");
    if (!in->ou[0])
        return cm_fail_at(rq, CM_EINVAL, NULL, "ou", "ou is required");
    if (!cm_uuid_valid(in->ou)) /* OU names ("cureatr:1234") come with the OU module */
        return cm_fail_at(rq, CM_EINVAL, NULL, "ou", "invalid ou");
    in->children = 1;
    r = cm_query_get(rq, "children", v, sizeof v);
    if (r < 0 || (r == 1 && strcmp(v, "true") && strcmp(v, "false")))
        return cm_fail_at(rq, CM_EINVAL, NULL, "children", "children must be true or false");
    if (r == 1)
        in->children = !strcmp(v, "true");
    in->format = USERS_EXPORT_CSV;
    r = cm_query_get(rq, "format", v, sizeof v);
    if (r < 0 || (r == 1 && strcmp(v, "csv") && strcmp(v, "json")))
        return cm_fail_at(rq, CM_EINVAL, NULL, "format", "format must be csv or json");
    if (r == 1 && !strcmp(v, "json"))
        in->format = USERS_EXPORT_JSON;
    return CM_OK;
}

/* The page of organization org's users after after_id ("" = first) into *out
 * (caller identity__export_users_reply__free_unpacked), at most limit. */
static cm_err fetch_page(struct cm_req *rq, const char *org, const char *after_id, unsigned limit,
                         Identity__ExportUsersReply **out)
{
    Identity__ExportUsersRequest in = IDENTITY__EXPORT_USERS_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    uint8_t *payload;
    size_t len;
    cm_err err;

    in.after_id = (char *)after_id;
    in.limit = limit;
    in.organization_id = (char *)org; /* identity sends only the OU's members */
    payload = cm_pack(&in.base, &len);
    err = cm_nats_rpc(rq->w->nc, EXPORT_SUBJECT, rq->http->request_id, NULL, payload, len,
                      rq->w->cfg->rpc_timeout_ms, &reply);
    free(payload);
    if (err != CM_OK)
        return cm_fail(rq, err, "user directory unavailable, retry later");
    if (reply->code != CM_OK) {
        cm_warn("%s answered %s", EXPORT_SUBJECT, cm_err_name(cm_err_from_wire(reply->code)));
        err = cm_fail(rq, CM_EUNAVAIL, "user directory unavailable, retry later");
    } else if (!(*out = identity__export_users_reply__unpack(NULL, reply->payload.len,
                                                             reply->payload.data))) {
        err = cm_fail(rq, CM_EINTERNAL, "malformed user directory page");
    }
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return err;
}

/* The clinical profile of user u (messaging's profile table joins here once
 * it exists); NULL: none. */
static const struct users_export_profile *profile_of(struct cm_req *rq,
                                                     const Identity__ExportedUser *u)
{
    (void)rq;
    (void)u;
    return NULL;
}

/* Writes the members of in->ou of page; starts the stream at the first one. */
static cm_err write_page(struct cm_req *rq, const struct export_input *in,
                         const Identity__ExportUsersReply *page, int *started)
{
    cm_err err = CM_OK;

    for (size_t i = 0; err == CM_OK && i < page->n_users; i++) {
        const Identity__ExportedUser *u = page->users[i];
        const Identity__ExportedMembership *m = NULL;
        size_t len;
        char *row;

        if (!users_export_member(u, in->ou, &m))
            continue;
        if (!*started) {
            err = cm_stream_begin(rq, 200,
                                  in->format == USERS_EXPORT_CSV ? "text/csv; charset=utf-8"
                                                                 : "application/json");
            if (err != CM_OK)
                return err;
            *started = 1;
            if (in->format == USERS_EXPORT_CSV)
                err = cm_stream_write(rq, users_export_csv_header(),
                                      strlen(users_export_csv_header()));
        }
        row = users_export_row(in->format, u, in->ou, m, profile_of(rq, u), &len);
        if (err == CM_OK)
            err = cm_stream_write(rq, row, len);
        free(row);
    }
    return err;
}

cm_err admin_users_list(struct cm_req *rq, struct cm_resp *out)
{
    struct export_input in;
    char after[64] = "";
    int started = 0, more = 1;
    cm_err err;

    /* input */
    if ((err = export_input_read(rq, &in)) != CM_OK)
        return err;
    /* access: the OU's administrators */
    if (!cm_principal_org_admin(rq, in.ou))
        return cm_fail(rq, CM_EDENIED, "not authorized");
    /* store (identity's, page by page) and render, row by row */
    while (err == CM_OK && more) {
        Identity__ExportUsersReply *page = NULL;
        err = fetch_page(rq, in.ou, after, after[0] ? EXPORT_PAGE : FIRST_PAGE, &page);
        if (err != CM_OK)
            break;
        err = write_page(rq, &in, page, &started);
        more = page->more && page->n_users > 0;
        if (page->n_users)
            snprintf(after, sizeof after, "%s", page->users[page->n_users - 1]->id);
        identity__export_users_reply__free_unpacked(page, NULL);
    }
    if (err != CM_OK)
        return err; /* after the stream began, the framework ends it short */
    if (!started) { /* the seed: "HTTP 204 No Content ... no results were produced" */
        out->status = 204;
        out->body = NULL;
        out->len = 0;
        out->content_type = in.format == USERS_EXPORT_CSV ? "text/csv; charset=utf-8"
                                                          : "application/json";
    }
    return CM_OK;
}
