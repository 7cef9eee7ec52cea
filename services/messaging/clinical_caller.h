/* clinical_caller.h: who is calling the clinical API, and the answers every
 * clinical operation shares (body parsing, the seed's "Invalid Request"
 * with its `reason`). */
#ifndef MESSAGING_CLINICAL_CALLER_H
#define MESSAGING_CLINICAL_CALLER_H

#include <jansson.h>

#include "clinical_directory.h"
#include "cm_service.h"
#include "store_threads.h"

struct ct_caller {
    int person;     /* 1: a person's Bearer token; 0: an API client */
    const char *id; /* account uuid, or the API client's API user id (borrowed) */
    const char *org;
    int view_phi; /* holds role "view-phi" */
};

/* The caller: an API client or a person, both of an organization.
 * CM_EUNAUTH for anyone else, CM_EDENIED ("not authorized") without an
 * organization; when api_only, a person is refused with CM_EDENIED too. */
cm_err ct_caller_of(struct cm_req *rq, int api_only, struct ct_caller *out);

/* The request's parameters (form, JSON or XML body); *is_json when it was
 * JSON. Errors recorded in rq (400). Caller json_decref. */
cm_err ct_params(struct cm_req *rq, json_t **out, int *is_json);

/* Answers 400 {"status":"error","message":"Invalid Request","reason":reason}
 * (steals reason); returns CM_OK (the answer is set). */
cm_err ct_invalid(struct cm_req *rq, struct cm_resp *out, json_t *reason);

/* The participant record of directory user u of OU ou. */
void ct_person_rec(const struct clinical_user *u, const char *ou, struct participant_rec *p);

/* The participant record of the calling API client c (its API user id as
 * both id and username, no email). */
void ct_client_rec(const struct ct_caller *c, const char *ou, struct participant_rec *p);

#endif
