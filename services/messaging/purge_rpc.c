/* purge_rpc.c: messaging.rpc.Purge (purge_rpc.h): the email logs and
 * queued deliveries of what was sent to the person's address go, with its
 * suppression, their feedback, clinical profile, read receipts and thread
 * memberships; what they wrote in shared threads stays for the others,
 * its author (and creator, uploader) replaced by a tombstone. A table that holds a person's data
 * gets one line here. (Spool files of the local transport are outgoing
 * mail, outside the database: not purged.) */
#include "cm_purge.h"
#include "purge_rpc.h"

/* The author tombstone of clinical messages, threads and attachments the
 * person made: the same text for every deleted person, so it identifies no
 * one (README, "Clinical messages of a deleted person"). */
#define TOMBSTONE "'deleted-user'"

static const char *const purge_statements[] = {
    "DELETE FROM deliveries WHERE lower(recipient) IN (SELECT lower(n) FROM unnest($2::text[]) n) "
    "OR id IN (SELECT id FROM email_logs WHERE lower(recipient) IN "
    "(SELECT lower(n) FROM unnest($2::text[]) n))",
    "DELETE FROM email_logs WHERE lower(recipient) IN (SELECT lower(n) FROM unnest($2::text[]) n)",
    "DELETE FROM suppressed_addresses WHERE address IN (SELECT lower(n) FROM unnest($2::text[]) n)",
    "DELETE FROM feedback_comments WHERE created_by = $1::text",
    "DELETE FROM clinical_users WHERE user_id = $1::uuid", /* services, group members cascade */
    "DELETE FROM clinical_receipts WHERE user_id = $1::text",
    "DELETE FROM clinical_participants WHERE user_id = $1::text",
    "UPDATE clinical_messages SET author_id = " TOMBSTONE " WHERE author_id = $1::text",
    "UPDATE clinical_threads SET creator_id = " TOMBSTONE " WHERE creator_id = $1::text",
    "UPDATE attachments SET user_id = " TOMBSTONE " WHERE user_id = $1::text",
    NULL,
};

cm_err messaging_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                           uint8_t **out_payload, size_t *out_len)
{
    return cm_purge_serve(w, req, purge_statements, NULL, out_payload, out_len);
}
