/* clinical_caller.h: who is calling the clinical API's thread operations
 * (an API client or a person with their own token) and their participant
 * records. Parameters and answers are clinical_body.h's. */
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

/* The participant record of directory user u of OU ou. */
void ct_person_rec(const struct clinical_user *u, const char *ou, struct participant_rec *p);

/* The participant record of the calling API client c (its API user id as
 * both id and username, no email). */
void ct_client_rec(const struct ct_caller *c, const char *ou, struct participant_rec *p);

#endif
