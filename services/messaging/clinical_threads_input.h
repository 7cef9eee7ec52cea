/* clinical_threads_input.h: the parameters of the clinical API's thread,
 * message and page operations, read from a body already parsed by
 * cm_body_parse (form, JSON or XML → one JSON object). Pure; unit-tested.
 *
 * Errors are the seed's: a `reason` object naming each parameter at fault
 * with "Missing value" or "Invalid value" (the answer's "message" is
 * "Invalid Request"). */
#ifndef MESSAGING_CLINICAL_THREADS_INPUT_H
#define MESSAGING_CLINICAL_THREADS_INPUT_H

#include <jansson.h>
#include <stddef.h>

#include "cm_err.h"

#define CT_MAX_RECIPIENTS 100
#define CT_MAX_SERVICES 20
#define CT_MAX_PEOPLE 500 /* recipients of one thread, services' members included */
#define CT_MAX_ATTACHMENTS 20
#define CT_SUBJECT_MAX 1000   /* characters */
#define CT_MESSAGE_MAX 100000 /* characters */
#define CT_FIELD_MAX 255      /* characters: emails, names, ids */

/* A list of borrowed strings. */
struct ct_list {
    const char *items[CT_MAX_RECIPIENTS];
    size_t n;
};

/* POST thread/create. Strings borrowed from the params object; "" when
 * absent. */
struct thread_create_in {
    const char *sender;
    const char *subject;
    const char *message;
    struct ct_list recipients; /* as given, duplicates removed (case-insensitive); may be
                                * empty when services are given */
    struct ct_list services;   /* the members of each are recipients too */
    struct ct_list attachment_ids;
    const char *patient_name;
    const char *pid;
    const char *patient_event_id;
    int urgent;
    int strict; /* validation=strict */
};

/* POST message. */
struct message_post_in {
    const char *thread_id;
    const char *message;
    struct ct_list attachment_ids;
};

/* POST page. */
struct page_in {
    const char *message;
    const char *pager_number;
};

/* Each reads params (is_json: it came from a JSON body, where `recipients`
 * must be an array) into *in. CM_OK, or CM_EINVAL with *out_reason a new
 * object {param: "Missing value" | "Invalid value", ...} (caller
 * json_decref). */
cm_err thread_create_input_read(const json_t *params, int is_json, struct thread_create_in *in,
                                json_t **out_reason);
cm_err message_post_input_read(const json_t *params, struct message_post_in *in,
                               json_t **out_reason);
cm_err page_input_read(const json_t *params, struct page_in *in, json_t **out_reason);

/* The list as a JSON array text (caller frees). */
char *ct_list_json(const struct ct_list *l);

#endif
