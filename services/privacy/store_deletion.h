/* store_deletion.h: deletion requests and their saga's steps
 * (migrations/002_deletion_requests.sql). The only SQL of #18-#21 and of
 * saga.c. */
#ifndef PRIVACY_STORE_DELETION_H
#define PRIVACY_STORE_DELETION_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

#define DELETION_STEPS_MAX 24 /* the services and up to 17 outside replicas */
#define DELETION_NEEDLES_MAX 4

struct deletion_step_rec {
    char app[64]; /* a service, "events", or an outside replica (a replicator's name) */
    char operation[16];
    char state[16]; /* "pending" | "done" */
    char reference_id[40];
};

struct deletion_rec {
    char id[40];
    char user_id[40]; /* "" once done */
    char email[256];  /* "" once done */
    int archive;
    char type[16];
    char status[16]; /* "running" | "done" */
    char created_at[40];
    size_t nsteps;
    struct deletion_step_rec steps[DELETION_STEPS_MAX];
    size_t nneedles; /* the texts that identify the person, while running */
    char needles[DELETION_NEEDLES_MAX][256];
};

/* Records a running request of user_id (id chosen here, into rec->id) with
 * one pending step per app (in order), then reads it back into rec.
 * CM_ECONFLICT when user_id already has a running one. */
cm_err store_deletion_create(PGconn *pg, const char *user_id, const char *email,
                             const char *const *needles, size_t nneedles, int archive,
                             const char *type, const char *const *apps, struct deletion_rec *rec);

/* Request id into rec; CM_ENOTFOUND when none. */
cm_err store_deletion_get(PGconn *pg, const char *id, struct deletion_rec *rec);

/* Requests whose email was email (by its keyed hash), newest first, page
 * (limit, offset); only those of user_id unless user_id is NULL. *out
 * (caller frees) holds *n. */
cm_err store_deletion_by_email(PGconn *pg, const char *email, const char *user_id, long limit,
                               long offset, struct deletion_rec **out, size_t *n);

/* Marks the step reference_id of request_id (NULL: any) done. CM_ENOTFOUND
 * when there is none. */
cm_err store_deletion_step_done(PGconn *pg, const char *request_id, const char *reference_id);

/* Takes a running request no runner holds (lease of lease_s seconds) into
 * rec. CM_ENOTFOUND when none waits. */
cm_err store_deletion_claim(PGconn *pg, int lease_s, struct deletion_rec *rec);

/* When every step of id is done: the request becomes its tombstone (status
 * done; user id, email and needles cleared). *out_done = 1 then. */
cm_err store_deletion_finish(PGconn *pg, const char *id, int *out_done);

#endif
