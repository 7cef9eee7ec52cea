/* handlers_email_logs.c: GET /v1/email-logs/ (handlers_email_logs.h):
 * input (query below), access, store (store_email_logs.h), render
 * (email_log_json.h). */
#include "handlers_email_logs.h"

#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "email_log_json.h"
#include "store_email_logs.h"

static const char *const known[] = {"filter[destination]",    "filter[timestamp][gte]",
                                    "filter[timestamp][lte]", "page[limit]",
                                    "page[offset]",           NULL};

/* The list's query. */
struct email_log_query {
    char destination[255 * 4 + 1];
    char gte[CM_TIME_LEN], lte[CM_TIME_LEN];
    long limit, offset;
};

/* A datetime parameter (RFC 3339 or a date) into out ("" when absent). */
static cm_err time_param(struct cm_req *rq, const char *name, char out[CM_TIME_LEN])
{
    char raw[48], cmp[52], op[3];
    int got = cm_query_get(rq, name, raw, sizeof raw);

    out[0] = '\0';
    if (got == 0)
        return CM_OK;
    snprintf(cmp, sizeof cmp, ">=%s", got > 0 ? raw : "");
    if (got < 0 || cm_cmp_time_parse(cmp, 1, op, out) != CM_OK) {
        out[0] = '\0';
        return cm_fail_at(rq, CM_EINVAL, NULL, name, "must be an RFC 3339 date-time or a date");
    }
    return CM_OK;
}

static cm_err query_read(struct cm_req *rq, struct email_log_query *q)
{
    cm_err err = cm_query_known(rq, known);

    memset(q, 0, sizeof q[0]);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[destination]", 255, q->destination, sizeof q->destination);
    if (err == CM_OK)
        err = time_param(rq, "filter[timestamp][gte]", q->gte);
    if (err == CM_OK)
        err = time_param(rq, "filter[timestamp][lte]", q->lte);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &q->limit, &q->offset);
    return err;
}

/* Whose entries the caller sees: every organization's (*org "") for the
 * platform admin, its current organization's for an organization admin;
 * 401/403 otherwise. */
static cm_err scope(struct cm_req *rq, const char **org)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (cm_principal_platform_admin(rq)) {
        *org = "";
        return CM_OK;
    }
    if (p->organization_id && cm_uuid_valid(p->organization_id) &&
        cm_principal_org_admin(rq, p->organization_id)) {
        *org = p->organization_id;
        return CM_OK;
    }
    return cm_fail(rq, CM_EDENIED, "only administrators read the email logs");
}

cm_err email_logs_list(struct cm_req *rq, struct cm_resp *out)
{
    struct email_log_query q;
    struct email_log_filter f;
    struct email_log_list l = {0, NULL, NULL};
    const char *org = "";
    cm_err err = query_read(rq, &q);

    if (err == CM_OK)
        err = scope(rq, &org);
    if (err != CM_OK)
        return err;
    f.organization_id = org;
    f.destination = q.destination;
    f.gte = q.gte;
    f.lte = q.lte;
    f.limit = q.limit;
    f.offset = q.offset;
    err = store_email_log_list(rq->w->pg, &f, &l);
    if (err != CM_OK)
        return cm_fail(rq, err, "the email logs could not be read");
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(email_log_json_list(&l, rq->w->cfg->mail_from)));
    store_email_log_list_free(&l);
    return CM_OK;
}
