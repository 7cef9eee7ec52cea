/* store_purge.c: SQL of messaging's step of privacy's deletion saga
 * (store_purge.h; run by purge_rpc.c through libcommon/cm_purge). */
#include "store_purge.h"

#include <stddef.h>

/* The author tombstone of clinical messages, threads and attachments the
 * person made: the same text for every deleted person, so it identifies no
 * one (README, "Clinical messages of a deleted person"). */
#define TOMBSTONE "'deleted-user'"

const char *const store_purge_statements[] = {
    "DELETE FROM deliveries WHERE lower(recipient) IN (SELECT lower(n) FROM unnest($2::text[]) n) "
    "OR id IN (SELECT id FROM email_logs WHERE lower(recipient) IN "
    "(SELECT lower(n) FROM unnest($2::text[]) n))",
    "DELETE FROM email_logs WHERE lower(recipient) IN (SELECT lower(n) FROM unnest($2::text[]) n)",
    "DELETE FROM suppressed_addresses WHERE address IN (SELECT lower(n) FROM unnest($2::text[]) n)",
    "DELETE FROM feedback_comments WHERE created_by = $1::text",
    "DELETE FROM clinical_users WHERE user_id = $1::uuid", /* services, group members cascade */
    "DELETE FROM clinical_receipts WHERE user_id = $1::text",
    /* after the receipts: their trigger has brought these to 0 */
    "DELETE FROM clinical_unread_threads WHERE user_id = $1::text",
    "DELETE FROM clinical_counters WHERE user_id = $1::text",
    "DELETE FROM clinical_participants WHERE user_id = $1::text",
    "UPDATE clinical_messages SET author_id = " TOMBSTONE " WHERE author_id = $1::text",
    "UPDATE clinical_threads SET creator_id = " TOMBSTONE " WHERE creator_id = $1::text",
    "UPDATE attachments SET user_id = " TOMBSTONE " WHERE user_id = $1::text",
    NULL,
};
