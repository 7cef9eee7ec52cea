/* archive.h: the interview of an archive request and its state machine.
 * Pure, unit-tested.
 *
 * The interview has two questions (fixed ids, listed in the README):
 *   ARCHIVE_Q_CONFIRM  "Archive the records of this individual?"  "yes" | "no"
 *   ARCHIVE_Q_REASON   "Why?"                                     any text (1..255)
 * States (request-state):
 *   interview-pending  created; answers are taken (an answer may be changed)
 *   archive-canceled   the confirm question was answered "no" (final)
 *   archive-requested  confirm "yes" and a reason given (final: the archive
 *                      job takes it from there; no job is built yet)
 * An answer to a request that is not interview-pending is a conflict. */
#ifndef PRIVACY_ARCHIVE_H
#define PRIVACY_ARCHIVE_H

#include <stddef.h>

#include "cm_err.h"

#define ARCHIVE_Q_CONFIRM "6f1c1b8e-4a51-4e5c-9a8b-0c0a1a7e0001"
#define ARCHIVE_Q_REASON "6f1c1b8e-4a51-4e5c-9a8b-0c0a1a7e0002"

/* Checks an answer: CM_OK when question_id is one of the interview's and
 * value fits it; otherwise CM_EINVAL with which (1: question-id, 2: value)
 * to *out_which and a message to err (cap bytes). */
cm_err archive_answer_check(const char *question_id, const char *value, int *out_which,
                            char *err, size_t cap);

/* The state after the answers given so far (confirm and reason: NULL when
 * not answered yet). */
const char *archive_state_after(const char *confirm, const char *reason);

#endif
