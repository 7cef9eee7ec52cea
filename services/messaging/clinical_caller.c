/* clinical_caller.c: participant records of the clinical API's thread
 * operations (clinical_caller.h). */
#include "clinical_caller.h"

#include <stdio.h>
#include <string.h>

void ct_person_rec(const struct clinical_user *u, const char *ou, struct participant_rec *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->user_id, sizeof p->user_id, "%s", u->id);
    snprintf(p->username, sizeof p->username, "%s", u->username);
    snprintf(p->email, sizeof p->email, "%s", u->email);
    snprintf(p->ou, sizeof p->ou, "%s", ou);
    p->person = 1;
}

void ct_client_rec(const struct clinical_caller *c, const char *ou, struct participant_rec *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->user_id, sizeof p->user_id, "%s", c->id);
    snprintf(p->username, sizeof p->username, "%s", c->id);
    snprintf(p->ou, sizeof p->ou, "%s", ou);
}
