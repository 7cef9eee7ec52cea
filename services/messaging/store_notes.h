/* store_notes.h: messaging's general_messages (#89-#92) and
 * feedback_comments (#29-#31) tables: small texts an organization shows
 * and people send. SQL lives here only; callers pass and get records. */
#ifndef MESSAGING_STORE_NOTES_H
#define MESSAGING_STORE_NOTES_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* One general message; strings borrowed from the list. */
struct general_message_rec {
    const char *id, *organization_id, *name, *locale, *message, *created_at, *updated_at;
};
struct general_message_list {
    size_t n;
    struct general_message_rec *items;
    char *mem;
};

/* Inserts a general message with a new id; CM_ECONFLICT when the
 * organization has one of that name and locale. */
cm_err store_general_message_insert(PGconn *pg, const char *organization_id, const char *name,
                                    const char *locale, const char *message,
                                    struct general_message_list *out);
cm_err store_general_message_get(PGconn *pg, const char *id, struct general_message_list *out);
cm_err store_general_messages_list(PGconn *pg, const char *organization_id, long limit, long offset,
                                   struct general_message_list *out);
/* Sets the message text of id. CM_ENOTFOUND. */
cm_err store_general_message_update(PGconn *pg, const char *id, const char *message,
                                    struct general_message_list *out);
void store_general_message_list_free(struct general_message_list *l);

/* One feedback comment. */
struct feedback_rec {
    const char *id, *created_by, *organization_id, *individual_id, *comment, *current_page,
        *created_at;
};
struct feedback_list {
    size_t n;
    struct feedback_rec *items;
    char *mem;
};

/* What a feedback list narrows to: organization_id "" = any (platform
 * admin); created_by "" = anyone. */
struct feedback_filter {
    const char *organization_id, *created_by;
    long limit, offset;
};

cm_err store_feedback_insert(PGconn *pg, const struct feedback_rec *f, struct feedback_list *out);
cm_err store_feedback_get(PGconn *pg, const char *id, struct feedback_list *out);
cm_err store_feedback_list(PGconn *pg, const struct feedback_filter *f, struct feedback_list *out);
void store_feedback_list_free(struct feedback_list *l);

#endif
