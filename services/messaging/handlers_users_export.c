/* handlers_users_export.c: admin.users.list (handlers_users_export.h).
 * Input (ou by name or id, children, format) → access (the clinical
 * caller administers the OU, clinical_ou.h) → the OU, and with children
 * each descendant OU (clinical_ou_lookup), one after the other: identity's
 * accounts of that organization only, read with identity.rpc.ExportUsers
 * (organization_id set) one page (EXPORT_PAGE users) at a time, their
 * clinical profiles (clinical_users) read for the page at once, and
 * written out row by row as a flow-controlled stream (cm_stream.h):
 * neither messaging nor the edge ever holds more than a page and a few
 * chunks, whatever the OU's size. */
#include "handlers_users_export.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_ou.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_peer.h"
#include "cm_stream.h"
#include "identity.pb-c.h"
#include "store_clinical_people.h"
#include "users_export.h"

#define EXPORT_SUBJECT "identity.rpc.ExportUsers"
#define EXPORT_PAGE 1000 /* identity's largest page */
#define FIRST_PAGE 100   /* a small first page: the status (200 or 204) goes out sooner */

struct export_input {
    char ou[CLINICAL_OU_NAME_MAX]; /* an OU name ("cureatr:1234") or an organization id; "" = the caller's */
    int children;
    enum users_export_format format;
};

/* ou (default: the caller's OU), children (true|false, default true),
 * format (csv|json, default csv). */
static cm_err export_input_read(struct cm_req *rq, struct export_input *in)
{
    char v[64];
    int r;

    memset(in, 0, sizeof *in);
    r = cm_query_get(rq, "ou", in->ou, sizeof in->ou);
    if (r < 0 || (r == 1 && !in->ou[0]))
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

/* The OUs to export into *out: in->ou (the caller's when not named) and,
 * with children, its descendants. 403 "not authorized" when the caller
 * does not administer it; an unknown OU looks the same. */
static cm_err export_access(struct cm_req *rq, const struct export_input *in,
                            struct clinical_ou_list *out)
{
    struct clinical_caller caller;
    struct clinical_ou ou;
    char *name[1];
    cm_err err = clinical_caller_of(rq, &caller);

    if (err != CM_OK)
        return err;
    if (!in->ou[0])
        ou = caller.ou;
    else if ((err = cm_uuid_valid(in->ou) ? clinical_ou_by_id(rq->w, in->ou, &ou)
                                          : clinical_ou_by_name(rq->w, in->ou, &ou)) != CM_OK)
        return err == CM_ENOTFOUND ? cm_fail(rq, CM_EDENIED, "not authorized")
                                   : cm_fail(rq, err, "identity is unavailable, retry later");
    if ((err = clinical_caller_may(rq, &caller, ou.name, 1)) != CM_OK)
        return err;
    name[0] = ou.name;
    err = clinical_ou_lookup(rq->w, name, 1, NULL, 0, in->children, out);
    if (err != CM_OK)
        return cm_fail(rq, err, "identity is unavailable, retry later");
    return CM_OK;
}

/* The page of organization org's users after after_id ("" = first) into *out
 * (caller identity__export_users_reply__free_unpacked), at most limit. */
static cm_err fetch_page(struct cm_req *rq, const char *org, const char *after_id, unsigned limit,
                         Identity__ExportUsersReply **out)
{
    Identity__ExportUsersRequest in = IDENTITY__EXPORT_USERS_REQUEST__INIT;
    ProtobufCMessage *m = NULL;
    cm_err err;

    in.after_id = (char *)after_id;
    in.limit = limit;
    in.organization_id = (char *)org; /* identity sends only the OU's members */
    err = cm_peer_ask(rq->w, EXPORT_SUBJECT, &in.base, &identity__export_users_reply__descriptor, &m,
                      NULL, 0);
    if (err == CM_EINTERNAL)
        return cm_fail(rq, err, "malformed user directory page");
    if (err == CM_EUNAVAIL || err == CM_ETIMEOUT)
        return cm_fail(rq, err, "user directory unavailable, retry later");
    if (err != CM_OK)
        return cm_fail(rq, CM_EUNAVAIL, "user directory unavailable, retry later");
    *out = (Identity__ExportUsersReply *)m;
    return CM_OK;
}

/* The clinical profiles of page's members of org into *out (ordered by
 * user id). */
static cm_err page_profiles(struct cm_req *rq, const char *org,
                            const Identity__ExportUsersReply *page,
                            struct clinical_profile_list *out)
{
    json_t *ids = json_array();
    char *text;
    cm_err err;

    for (size_t i = 0; i < page->n_users; i++)
        if (users_export_member(page->users[i], org, NULL))
            json_array_append_new(ids, json_string(page->users[i]->id));
    text = json_dumps(ids, JSON_COMPACT);
    json_decref(ids);
    if (!text)
        return cm_fail(rq, CM_ENOMEM, "out of memory");
    err = store_clinical_profiles_get(rq->w->pg, text, out);
    free(text);
    if (err != CM_OK)
        return cm_fail(rq, err, "the clinical profiles could not be read, retry later");
    return CM_OK;
}

static int profile_cmp(const void *key, const void *item)
{
    return strcmp(key, ((const struct clinical_profile_rec *)item)->user_id);
}

/* The services of JSON array text a as "a|b" (caller frees). */
static char *services_joined(const char *a)
{
    json_t *arr = json_loads(a, 0, NULL), *e;
    size_t i, len = 1;
    char *out;

    json_array_foreach(arr, i, e) len += strlen(json_string_value(e) ? json_string_value(e) : "") + 1;
    out = calloc(1, len);
    if (!out)
        abort(); /* out of memory: cm_xmalloc's policy */
    json_array_foreach(arr, i, e)
    {
        if (i)
            strcat(out, "|");
        strcat(out, json_string_value(e) ? json_string_value(e) : "");
    }
    json_decref(arr);
    return out;
}

/* Writes the members of ou of page with their profiles; starts the stream
 * at the first one. */
static cm_err write_page(struct cm_req *rq, const struct export_input *in,
                         const struct clinical_ou *ou, const Identity__ExportUsersReply *page,
                         int *started)
{
    struct clinical_profile_list pl = {0};
    cm_err err = page_profiles(rq, ou->id, page, &pl);

    for (size_t i = 0; err == CM_OK && i < page->n_users; i++) {
        const Identity__ExportedUser *u = page->users[i];
        const Identity__ExportedMembership *m = NULL;
        const struct clinical_profile_rec *rec;
        struct users_export_profile p;
        char *services = NULL, *row;
        size_t len;

        if (!users_export_member(u, ou->id, &m))
            continue;
        if (!*started) {
            err = cm_stream_begin(rq, 200,
                                  in->format == USERS_EXPORT_CSV ? "text/csv; charset=utf-8"
                                                                 : "application/json");
            if (err != CM_OK)
                break;
            *started = 1;
            if (in->format == USERS_EXPORT_CSV)
                err = cm_stream_write(rq, users_export_csv_header(),
                                      strlen(users_export_csv_header()));
        }
        rec = pl.n ? bsearch(u->id, pl.items, pl.n, sizeof *pl.items, profile_cmp) : NULL;
        if (rec) {
            services = services_joined(rec->services);
            p = (struct users_export_profile){rec->title, rec->specialty, services,
                                              rec->pager_number};
        }
        row = users_export_row(in->format, u, ou->name, m, rec ? &p : NULL, &len);
        if (err == CM_OK)
            err = cm_stream_write(rq, row, len);
        free(row);
        free(services);
    }
    store_clinical_profile_list_free(&pl);
    return err;
}

/* Streams the members of ou, page by page. */
static cm_err export_ou(struct cm_req *rq, const struct export_input *in,
                        const struct clinical_ou *ou, int *started)
{
    char after[64] = "";
    int more = 1;
    cm_err err = CM_OK;

    while (err == CM_OK && more) {
        Identity__ExportUsersReply *page = NULL;
        err = fetch_page(rq, ou->id, after, after[0] ? EXPORT_PAGE : FIRST_PAGE, &page);
        if (err != CM_OK)
            break;
        err = write_page(rq, in, ou, page, started);
        more = page->more && page->n_users > 0;
        if (page->n_users)
            snprintf(after, sizeof after, "%s", page->users[page->n_users - 1]->id);
        identity__export_users_reply__free_unpacked(page, NULL);
    }
    return err;
}

cm_err admin_users_list(struct cm_req *rq, struct cm_resp *out)
{
    struct export_input in;
    struct clinical_ou_list ous = {0};
    int started = 0;
    cm_err err;

    /* input */
    if ((err = export_input_read(rq, &in)) != CM_OK)
        return err;
    /* access: the OU's administrators; the OUs to export */
    if ((err = export_access(rq, &in, &ous)) != CM_OK)
        return err;
    /* store (identity's, page by page, and the profiles) and render, row by row */
    for (size_t i = 0; err == CM_OK && i < ous.n; i++)
        err = export_ou(rq, &in, &ous.items[i], &started);
    clinical_ou_list_free(&ous);
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
