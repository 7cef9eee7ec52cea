/* clinical_caller.h: the participant records of the clinical API's thread
 * operations, for a person or for the calling API client. Who calls is
 * clinical_ou.h's one caller model (struct clinical_caller,
 * clinical_caller_get); parameters and answers are clinical_body.h's. */
#ifndef MESSAGING_CLINICAL_CALLER_H
#define MESSAGING_CLINICAL_CALLER_H

#include <jansson.h>

#include "clinical_directory.h"
#include "clinical_ou.h"
#include "cm_service.h"
#include "store_threads.h"

/* The participant record of directory user u of OU ou. */
void ct_person_rec(const struct clinical_user *u, const char *ou, struct participant_rec *p);

/* The participant record of the calling API client c (its API user id as
 * both id and username, no email). */
void ct_client_rec(const struct clinical_caller *c, const char *ou, struct participant_rec *p);

#endif
