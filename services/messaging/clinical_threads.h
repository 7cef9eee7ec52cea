/* clinical_threads.h: the clinical API's threads and messages (seed 001):
 * thread/create, thread/{id}/messages, message, message/{id}/contents,
 * message/{id}/status and user/counters/{user_id}.
 *
 * Callers: an API client acts in its organization (every thread of it); a
 * person (Bearer token) reads and posts only in threads they take part in,
 * in their current organization, and reads only their own counters.
 * Reading as a person marks messages read (this is how counters move); an
 * API client's reading changes nothing. Unknown and forbidden threads and
 * messages look the same: 403 "not authorized", the seed's error. A thread's
 * patient_name (PHI) is shown to its persons, and to API clients holding
 * role "view-phi". */
#ifndef MESSAGING_CLINICAL_THREADS_H
#define MESSAGING_CLINICAL_THREADS_H

#include "cm_service.h"

cm_err thread_create(struct cm_req *rq, struct cm_resp *out);
cm_err thread_messages(struct cm_req *rq, struct cm_resp *out);
cm_err message_post(struct cm_req *rq, struct cm_resp *out);
cm_err message_contents(struct cm_req *rq, struct cm_resp *out);
cm_err message_status(struct cm_req *rq, struct cm_resp *out);
cm_err user_counters(struct cm_req *rq, struct cm_resp *out);

#endif
