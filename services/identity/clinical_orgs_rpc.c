/* clinical_orgs_rpc.c: identity.rpc.ClinicalOrgs, organizations addressed
 * as the clinical API's OUs: by name or id, with their descendants by name
 * ("a:b" is a child of "a"), the one source of the OU hierarchy; and the
 * guard that keeps organization admins from changing that hierarchy by a
 * rename. */
#include <jansson.h>
#include <stdlib.h>

#include "clinical_rpc.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "identity.pb-c.h"
#include "store_clinical.h"

#define MAX_KEYS 256

/* strs[0..n) as a JSON array text (caller frees); only uuids when uuids. */
static char *json_strings(char **strs, size_t n, int uuids)
{
    json_t *a = json_array();
    char *s;

    for (size_t i = 0; i < n; i++)
        if (!uuids || cm_uuid_valid(strs[i]))
            json_array_append_new(a, json_string(strs[i]));
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

cm_err rpc_clinical_orgs(struct cm_worker *w, const Envelope__RpcRequest *req,
                         uint8_t **out_payload, size_t *out_len)
{
    Identity__ClinicalOrgsRequest *in;
    Identity__ClinicalOrgsReply reply = IDENTITY__CLINICAL_ORGS_REPLY__INIT;
    Identity__ClinicalOrg *orgs = NULL, **ptrs = NULL;
    struct clinical_org_list l = {0};
    char *names = NULL, *ids = NULL;
    cm_err err = CM_OK;

    in = identity__clinical_orgs_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ClinicalOrgsRequest");
    if (in->n_names > MAX_KEYS || in->n_ids > MAX_KEYS)
        err = cm_rpc_fail(w, CM_ETOOBIG, "at most %d names and ids", MAX_KEYS);
    if (err == CM_OK) {
        names = json_strings(in->names, in->n_names, 0);
        ids = json_strings(in->ids, in->n_ids, 1);
        err = names && ids ? CM_OK : cm_rpc_fail(w, CM_EINVAL, "names must be UTF-8");
    }
    if (err == CM_OK)
        err = store_clinical_orgs(w->pg, names, ids, in->children, &l);
    if (err == CM_OK && l.n) {
        orgs = calloc(l.n, sizeof *orgs);
        ptrs = calloc(l.n, sizeof *ptrs);
        if (!orgs || !ptrs)
            err = CM_ENOMEM;
    }
    if (err == CM_OK) {
        for (size_t i = 0; i < l.n; i++) {
            identity__clinical_org__init(&orgs[i]);
            orgs[i].id = (char *)l.items[i].id;
            orgs[i].name = (char *)l.items[i].name;
            ptrs[i] = &orgs[i];
        }
        reply.n_orgs = l.n;
        reply.orgs = ptrs;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    free(orgs);
    free(ptrs);
    free(names);
    free(ids);
    store_clinical_list_free(&l.n, (void **)&l.items, &l.mem);
    identity__clinical_orgs_request__free_unpacked(in, NULL);
    return err;
}

cm_err clinical_org_rename_check(struct cm_req *rq, const char *id, const char *name)
{
    int ok = 0;
    cm_err err = store_clinical_rename_ok(rq->w->pg, id, name, &ok);

    if (err == CM_OK && !ok)
        return cm_fail_at(rq, CM_EDENIED, "/data/attributes/name", NULL,
                          "only the platform admin may give an organization a name with ':' "
                          "or rename one with child organizations (the clinical OU hierarchy)");
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such organization");
    return err;
}
