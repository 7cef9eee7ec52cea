/* clinical_ou.h: OUs (institutions) of the clinical messaging API, for
 * every clinical handler of messaging.
 *
 * An OU is an identity organization, addressed by its name ("cureatr",
 * "cureatr:1234"). The hierarchy is the name itself, the one source of
 * truth: "a:b" is a child of "a", "a:b:c" a child of "a:b"; a root OU has
 * no ':' in its name. Names and ids are resolved through
 * identity.rpc.ClinicalOrgs; the parent chain is pure string work.
 *
 * The caller (struct clinical_caller, below): API clients call every
 * operation; persons only the edge's person operations (threads, counters,
 * attachments). An API client acts in the OU of its organization and that
 * OU's children; with role "admin" it holds inst-admin (manage) over them,
 * the grant "inst-admin:<its OU>+" of the seed's syntax; without it, it may
 * only read (user search, pagers, recipient groups). */
#ifndef MESSAGING_CLINICAL_OU_H
#define MESSAGING_CLINICAL_OU_H

#include <stddef.h>

#include "cm_service.h"

#define CLINICAL_OU_NAME_MAX 256

struct clinical_ou {
    char id[40];                     /* organization uuid */
    char name[CLINICAL_OU_NAME_MAX]; /* "cureatr:1234" */
};

struct clinical_ou_list {
    size_t n;
    struct clinical_ou *items; /* name order */
};

/* The OUs named in names[0..nnames) and with ids ids[0..nids), and with
 * children every descendant of each; unknown ones are left out. Release
 * with clinical_ou_list_free. CM_EUNAVAIL/CM_ETIMEOUT when identity does
 * not answer. */
cm_err clinical_ou_lookup(struct cm_worker *w, char **names, size_t nnames, char **ids,
                          size_t nids, int children, struct clinical_ou_list *out);

void clinical_ou_list_free(struct clinical_ou_list *l);

/* One OU by name or by id; CM_ENOTFOUND when there is none. */
cm_err clinical_ou_by_name(struct cm_worker *w, const char *name, struct clinical_ou *out);
cm_err clinical_ou_by_id(struct cm_worker *w, const char *id, struct clinical_ou *out);

/* The OU of l with id id, NULL when none. Borrowed from l. */
const struct clinical_ou *clinical_ou_find_id(const struct clinical_ou_list *l, const char *id);

/* --- the hierarchy, pure --- */

/* True for a root OU name (no ':'). */
int clinical_ou_is_root(const char *name);

/* True when name is ancestor or one of its descendants. */
int clinical_ou_within(const char *name, const char *ancestor);

/* The parent's name of name into out (cap bytes); "" for a root. */
void clinical_ou_parent(const char *name, char *out, size_t cap);

/* --- the caller --- */

/* The one caller model of the clinical API. Everything but ou comes from
 * the request's principal (no round trip): an API client (Basic) acts in
 * its organization's OU and that OU's children, with role "admin" as
 * inst-admin there and role "view-phi" as view-phi there (the seed's grants
 * "inst-admin:<OU>+", "view-phi:<OU>+"); a person (their own Bearer token)
 * acts as themself in their current organization. */
struct clinical_caller {
    int person;            /* 1: a person's Bearer token; 0: an API client */
    const char *id;        /* account uuid, or the API client's API user id (borrowed) */
    const char *org;       /* the principal's organization id (borrowed) */
    int admin;             /* role "admin": inst-admin over ou and its children */
    int view_phi;          /* role "view-phi" */
    struct clinical_ou ou; /* its OU: filled with CLINICAL_CALLER_OU only, else "" */
};

#define CLINICAL_CALLER_API 1 /* API clients only: a person gets CM_EDENIED */
#define CLINICAL_CALLER_OU 2  /* resolve ou (name) through identity; API clients only */

/* Who calls, by flags (CLINICAL_CALLER_*), recorded in rq on failure:
 * without CLINICAL_CALLER_OU, CM_EUNAUTH for anyone but an API client or a
 * person and CM_EDENIED "not authorized" without an organization; with it,
 * CM_EDENIED for anyone but an API client of an existing organization (and
 * CM_EUNAVAIL... when identity does not answer). */
cm_err clinical_caller_get(struct cm_req *rq, int flags, struct clinical_caller *out);

/* clinical_caller_get(rq, CLINICAL_CALLER_API | CLINICAL_CALLER_OU, out):
 * the caller of the admin operations. */
cm_err clinical_caller_of(struct cm_req *rq, struct clinical_caller *out);

/* True when the caller acts in OU name (its own OU or a descendant). */
int clinical_caller_reaches(const struct clinical_caller *c, const char *name);

/* CM_OK when the caller reaches OU name and, when manage, administers it;
 * else CM_EDENIED "not authorized" recorded in rq. */
cm_err clinical_caller_may(struct cm_req *rq, const struct clinical_caller *c, const char *name,
                           int manage);

#endif
