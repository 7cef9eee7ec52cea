/* archive.c: an archive request's interview and states (archive.h). */
#include "archive.h"

#include <stdio.h>
#include <string.h>

cm_err archive_answer_check(const char *question_id, const char *value, int *out_which,
                            char *err, size_t cap)
{
    if (!strcmp(question_id, ARCHIVE_Q_CONFIRM)) {
        if (strcmp(value, "yes") && strcmp(value, "no")) {
            *out_which = 2;
            snprintf(err, cap, "the answer to this question is \"yes\" or \"no\"");
            return CM_EINVAL;
        }
        return CM_OK;
    }
    if (!strcmp(question_id, ARCHIVE_Q_REASON)) {
        if (!value[0] || strlen(value) > 255) {
            *out_which = 2;
            snprintf(err, cap, "value must have 1 to 255 characters");
            return CM_EINVAL;
        }
        return CM_OK;
    }
    *out_which = 1;
    snprintf(err, cap, "no such question in this interview");
    return CM_EINVAL;
}

const char *archive_state_after(const char *confirm, const char *reason)
{
    if (confirm && !strcmp(confirm, "no"))
        return "archive-canceled";
    if (confirm && !strcmp(confirm, "yes") && reason)
        return "archive-requested";
    return "interview-pending";
}
