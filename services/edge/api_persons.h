/* api_persons.h: the few clinical API (/api/<date>/...) operations a person
 * may call with their own Bearer token: reading and posting in their own
 * threads, reading their own counters and the attachments of their
 * threads' messages (the messaging service decides which are theirs). Every other /api operation stays
 * for API clients only. */
#ifndef EDGE_API_PERSONS_H
#define EDGE_API_PERSONS_H

/* True when method on path (raw request path, no query) is one of:
 *   GET  /api/2014-08-01/thread/{id}/messages
 *   POST /api/2014-08-01/message
 *   GET  /api/2017-09-01/message/{id}/contents
 *   GET  /api/2014-08-01/message/{id}/status
 *   GET  /api/2016-11-01/user/counters/{user_id}
 *   GET  /api/2014-08-01/attachment/{id} and .../attachment/{id}/content
 * ({...}: one non-empty segment). Pure. */
int edge_api_person_op(const char *method, const char *path);

#endif
