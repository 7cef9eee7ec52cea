/* clinical_threads_json.h: the clinical API's answers for threads, messages,
 * read statuses and counters, in the seed's shapes. Pure; each returns a new
 * JSON document (caller json_decref).
 *
 * A user is shown as {"email", "id" (account uuid, or an API client's API
 * user id), "primary_ou" (the organization's name), "user_id" (username)}. */
#ifndef MESSAGING_CLINICAL_THREADS_JSON_H
#define MESSAGING_CLINICAL_THREADS_JSON_H

#include <jansson.h>

#include "store_threads.h"

/* {"status":"ok","thread":{id, subject, patient_name, pid,
 * patient_event_id, urgent, user_id, time_created, messages:[...]},
 * "users":[...]}; patient_name is the opened name ("" when none). */
json_t *ct_json_thread_view(const struct thread_view *v, const char *patient_name);

/* {"status":"ok","message":{id, user_id, seq, content, time_created,
 * attachment_ids},"user":{...}}; author may be NULL (an author no longer
 * known: only its id). */
json_t *ct_json_message_contents(const struct message_rec *m, const struct participant_rec *author,
                                 const char *ou);

/* {"status":"ok","statuses":[{"status":"read"|"unread","user":email (or
 * username),"user_id":username,"time_read":time or ""}]} */
json_t *ct_json_statuses(const struct receipt_list *l);

/* {"status":"ok","unseen":{"msg","ctn"},"unread":{"msg","ctn"}} */
json_t *ct_json_counters(const struct counters_rec *c);

#endif
