/* clinical_ou.c: OU resolution, hierarchy and the caller's reach for the
 * clinical messaging API (clinical_ou.h). */
#include "clinical_ou.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_identity.h"
#include "cm_jsonapi.h"
#include "cm_principal.h"

cm_err clinical_ou_lookup(struct cm_worker *w, char **names, size_t nnames, char **ids,
                          size_t nids, int children, struct clinical_ou_list *out)
{
    Identity__ClinicalOrgsRequest in = IDENTITY__CLINICAL_ORGS_REQUEST__INIT;
    Identity__ClinicalOrgsReply *r;
    ProtobufCMessage *m = NULL;
    char detail[CLINICAL_DETAIL_MAX];
    cm_err err;

    out->n = 0;
    out->items = NULL;
    if (nnames == 0 && nids == 0)
        return CM_OK;
    in.n_names = nnames;
    in.names = names;
    in.n_ids = nids;
    in.ids = ids;
    in.children = children;
    err = clinical_identity_ask(w, "ClinicalOrgs", &in.base, &identity__clinical_orgs_reply__descriptor,
                                &m, detail);
    if (err != CM_OK)
        return err;
    r = (Identity__ClinicalOrgsReply *)m;
    out->items = calloc(r->n_orgs ? r->n_orgs : 1, sizeof *out->items);
    if (!out->items)
        err = CM_ENOMEM;
    for (size_t i = 0; err == CM_OK && i < r->n_orgs; i++) {
        snprintf(out->items[i].id, sizeof out->items[i].id, "%s", r->orgs[i]->id);
        snprintf(out->items[i].name, sizeof out->items[i].name, "%s", r->orgs[i]->name);
        out->n++;
    }
    identity__clinical_orgs_reply__free_unpacked(r, NULL);
    return err;
}

void clinical_ou_list_free(struct clinical_ou_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* The one OU of a lookup by name (by_name) or id. */
static cm_err one(struct cm_worker *w, const char *key, int by_name, struct clinical_ou *out)
{
    struct clinical_ou_list l;
    char *keys[1] = {(char *)key};
    cm_err err = by_name ? clinical_ou_lookup(w, keys, 1, NULL, 0, 0, &l)
                         : clinical_ou_lookup(w, NULL, 0, keys, 1, 0, &l);

    if (err != CM_OK)
        return err;
    err = CM_ENOTFOUND;
    for (size_t i = 0; i < l.n; i++)
        if (!strcmp(by_name ? l.items[i].name : l.items[i].id, key)) {
            *out = l.items[i];
            err = CM_OK;
        }
    clinical_ou_list_free(&l);
    return err;
}

cm_err clinical_ou_by_name(struct cm_worker *w, const char *name, struct clinical_ou *out)
{
    if (!name[0] || strlen(name) >= CLINICAL_OU_NAME_MAX)
        return CM_ENOTFOUND;
    return one(w, name, 1, out);
}

cm_err clinical_ou_by_id(struct cm_worker *w, const char *id, struct clinical_ou *out)
{
    if (!cm_uuid_valid(id))
        return CM_ENOTFOUND;
    return one(w, id, 0, out);
}

const struct clinical_ou *clinical_ou_find_id(const struct clinical_ou_list *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].id, id))
            return &l->items[i];
    return NULL;
}

int clinical_ou_is_root(const char *name)
{
    return name[0] && !strchr(name, ':');
}

int clinical_ou_within(const char *name, const char *ancestor)
{
    size_t n = strlen(ancestor);

    return n && !strncmp(name, ancestor, n) && (name[n] == '\0' || name[n] == ':');
}

void clinical_ou_parent(const char *name, char *out, size_t cap)
{
    const char *colon = strrchr(name, ':');
    size_t n = colon ? (size_t)(colon - name) : 0;

    snprintf(out, cap, "%.*s", (int)n, name);
}

cm_err clinical_caller_get(struct cm_req *rq, int flags, struct clinical_caller *out)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    int client = p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT;
    cm_err err;

    memset(out, 0, sizeof *out);
    if (flags & CLINICAL_CALLER_OU) {
        if (!client || !cm_uuid_valid(p->organization_id))
            return cm_fail(rq, CM_EDENIED, "not authorized");
    } else if (!client && p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER) {
        return cm_fail(rq, CM_EUNAUTH, "authentication required");
    }
    if (!p->organization_id || !p->organization_id[0] || !p->user_id || !p->user_id[0])
        return cm_fail(rq, CM_EDENIED, "not authorized");
    out->person = !client;
    if ((flags & CLINICAL_CALLER_API) && out->person)
        return cm_fail(rq, CM_EDENIED, "not authorized");
    out->id = p->user_id;
    out->org = p->organization_id;
    out->admin = client && cm_principal_has_role(rq, "admin");
    out->view_phi = cm_principal_has_role(rq, "view-phi");
    if (!(flags & CLINICAL_CALLER_OU))
        return CM_OK;
    err = clinical_ou_by_id(rq->w, p->organization_id, &out->ou);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, CM_EDENIED, "not authorized");
    if (err != CM_OK)
        return cm_fail(rq, err, "identity is unavailable, retry later");
    return CM_OK;
}

cm_err clinical_caller_of(struct cm_req *rq, struct clinical_caller *out)
{
    return clinical_caller_get(rq, CLINICAL_CALLER_API | CLINICAL_CALLER_OU, out);
}

int clinical_caller_reaches(const struct clinical_caller *c, const char *name)
{
    return clinical_ou_within(name, c->ou.name);
}

cm_err clinical_caller_may(struct cm_req *rq, const struct clinical_caller *c, const char *name,
                           int manage)
{
    if (!clinical_caller_reaches(c, name) || (manage && !c->admin))
        return cm_fail(rq, CM_EDENIED, "not authorized");
    return CM_OK;
}
