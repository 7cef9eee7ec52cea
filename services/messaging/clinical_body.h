/* clinical_body.h: what every handler of the clinical messaging API
 * (/api/<date>/...) shares: its parameters read one way whatever the body
 * (form with repeated keys as arrays, JSON, XML; cm_body.h) plus the query
 * string, typed field lookups, and the seed's reply shapes:
 * {"status": "ok", ...}, {"status": "error", "message": ...} and the 400
 * {"status": "error", "message": "Invalid Request", "reason": {...}}. */
#ifndef MESSAGING_CLINICAL_BODY_H
#define MESSAGING_CLINICAL_BODY_H

#include <jansson.h>

#include "cm_service.h"

/* The request's parameters as one JSON object (caller json_decref): the
 * query string's, overridden by the body's (form, JSON or XML by
 * Content-Type; no body for GET and DELETE). CM_EINVAL / CM_ETOOBIG with
 * the detail recorded in rq (cm_fail) for a body that does not parse. */
cm_err clinical_params(struct cm_req *rq, json_t **out_params);

/* 1 when the request's body is JSON (then lists are always arrays). */
int clinical_body_is_json(struct cm_req *rq);

/* The string value of p[key] (the last one of a repeated form key); JSON
 * numbers are not strings here. NULL when absent or not a string. Borrowed. */
const char *clinical_str(const json_t *p, const char *key);

/* p[key] as a boolean: JSON true/false, or the text True/False, true/false,
 * Y/N, yes/no, 1/0 (any case). *out = def when absent. Returns -1 (and
 * leaves *out) for any other value, 0 otherwise. */
int clinical_flag(const json_t *p, const char *key, int def, int *out);

/* p[key] as a new JSON array of strings (caller json_decref): a string is
 * one element, an array must hold strings only; absent gives NULL with
 * return 0. Returns -1 for any other value. */
int clinical_list(const json_t *p, const char *key, json_t **out);

/* Answers status with {"status": "ok"} followed by the members of extra
 * (may be NULL; the reference is stolen). */
void clinical_reply_ok(struct cm_req *rq, struct cm_resp *out, int status, json_t *extra);

/* Answers 400 {"status": "error", "message": "Invalid Request", "reason":
 * reason} (reason stolen: an object of parameter name → what is wrong). */
void clinical_reply_invalid(struct cm_req *rq, struct cm_resp *out, json_t *reason);

/* Answers status with {"status": "error", "message": message}, for the
 * seed's expected errors that carry another status than cm_fail's mapping
 * (e.g. 400 "A user with these credentials already exists"). */
void clinical_reply_error(struct cm_req *rq, struct cm_resp *out, int status, const char *message);

/* Adds reason[key] = why to *reason (made when NULL); for collecting every
 * invalid parameter of a request before answering. */
void clinical_reason(json_t **reason, const char *key, const char *why);

#endif
