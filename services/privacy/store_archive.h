/* store_archive.h: archive requests and their interview's answers
 * (migrations/003_archive_requests.sql). The only SQL of #6-#8. */
#ifndef PRIVACY_STORE_ARCHIVE_H
#define PRIVACY_STORE_ARCHIVE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

struct archive_rec {
    char id[40];
    char created_by[40];
    char email[256];
    char individual_id[40];
    char interview_id[40];
    char request_state[32];
    char created_at[40];
    char last_modified[40];
};

/* A new request (interview-pending) into rec. */
cm_err store_archive_create(PGconn *pg, const char *created_by, const char *email,
                            const char *individual_id, struct archive_rec *rec);

/* Request id into rec; CM_ENOTFOUND when none. */
cm_err store_archive_get(PGconn *pg, const char *id, struct archive_rec *rec);

/* Requests of created_by (NULL: anyone's) about individual_id (NULL: any),
 * newest first, one page; *out (caller frees) holds *n. */
cm_err store_archive_list(PGconn *pg, const char *created_by, const char *individual_id,
                          long limit, long offset, struct archive_rec **out, size_t *n);

/* Records the answer to question_id of request id and moves it to the
 * state archive_state_after gives (archive.h), in one transaction; rec gets
 * the request after. CM_ECONFLICT when it is not interview-pending any
 * more, CM_ENOTFOUND when there is no such request. */
cm_err store_archive_answer(PGconn *pg, const char *id, const char *question_id,
                            const char *value, struct archive_rec *rec);

#endif
