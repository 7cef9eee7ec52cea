/* clinical_threads_input.c: parameters of thread/create, message and page
 * (clinical_threads_input.h). */
#include "clinical_threads_input.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cm_body.h"

#define MISSING "Missing value"
#define INVALID "Invalid value"

static void flag(json_t *reason, const char *name, const char *why)
{
    json_object_set_new(reason, name, json_string(why));
}

/* Optional or required string parameter name (at most max characters)
 * into *out ("" when absent). */
static void text(const json_t *params, const char *name, int required, size_t max, const char **out,
                 json_t *reason)
{
    const json_t *v = json_object_get(params, name);
    const char *s;

    *out = "";
    if (!v) {
        if (required)
            flag(reason, name, MISSING);
        return;
    }
    s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!s || cm_body_utf8_chars(s) > max) {
        flag(reason, name, INVALID);
        return;
    }
    if (required && !s[0]) {
        flag(reason, name, MISSING);
        return;
    }
    *out = s;
}

/* A parameter that may repeat: a string or an array of strings (must be an
 * array when must_array), each non-empty and at most max characters, at
 * most cap of them; duplicates dropped (case-insensitive). */
static void list(const json_t *params, const char *name, int required, int must_array, size_t cap,
                 size_t max, struct ct_list *out, json_t *reason)
{
    const json_t *v = json_object_get(params, name);
    size_t n;

    out->n = 0;
    if (!v || (json_is_array(v) && json_array_size(v) == 0) ||
        (json_is_string(v) && !json_string_value(v)[0])) {
        if (required)
            flag(reason, name, MISSING);
        return;
    }
    if (json_is_string(v) && !must_array) {
        if (cm_body_utf8_chars(json_string_value(v)) > max)
            flag(reason, name, INVALID);
        else
            out->items[out->n++] = json_string_value(v);
        return;
    }
    n = json_is_array(v) ? json_array_size(v) : 0;
    if (!json_is_array(v) || n > cap) {
        flag(reason, name, INVALID);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(v, i));
        int dup = 0;

        if (!s || !s[0] || cm_body_utf8_chars(s) > max) {
            flag(reason, name, INVALID);
            out->n = 0;
            return;
        }
        for (size_t k = 0; k < out->n && !dup; k++)
            dup = !strcasecmp(out->items[k], s);
        if (!dup)
            out->items[out->n++] = s;
    }
}

/* A flag: absent, "", "0", "false", false → 0; "1", "true", true, 1 → 1. */
static int boolean(const json_t *params, const char *name, json_t *reason)
{
    const json_t *v = json_object_get(params, name);
    const char *s;

    if (!v || json_is_false(v) || json_is_null(v))
        return 0;
    if (json_is_true(v))
        return 1;
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
        return (int)json_integer_value(v);
    s = json_string_value(v);
    if (s && (!s[0] || !strcmp(s, "0") || !strcasecmp(s, "false")))
        return 0;
    if (s && (!strcmp(s, "1") || !strcasecmp(s, "true")))
        return 1;
    flag(reason, name, INVALID);
    return 0;
}

static cm_err done(json_t *reason, json_t **out_reason)
{
    if (json_object_size(reason) == 0) {
        json_decref(reason);
        return CM_OK;
    }
    *out_reason = reason;
    return CM_EINVAL;
}

cm_err thread_create_input_read(const json_t *params, int is_json, struct thread_create_in *in,
                                json_t **out_reason)
{
    json_t *reason = json_object();
    const char *validation;

    memset(in, 0, sizeof *in);
    text(params, "sender", 0, CT_FIELD_MAX, &in->sender, reason);
    text(params, "subject", 1, CT_SUBJECT_MAX, &in->subject, reason);
    text(params, "message", 1, CT_MESSAGE_MAX, &in->message, reason);
    list(params, "services", 0, 0, CT_MAX_SERVICES, CT_FIELD_MAX, &in->services, reason);
    /* recipients may be left out when services name who is messaged */
    list(params, "recipients", in->services.n == 0 && !json_object_get(reason, "services"), is_json,
         CT_MAX_RECIPIENTS, CT_FIELD_MAX, &in->recipients, reason);
    list(params, "attachment_ids", 0, 0, CT_MAX_ATTACHMENTS, CT_FIELD_MAX, &in->attachment_ids,
         reason);
    text(params, "patient_name", 0, CT_FIELD_MAX, &in->patient_name, reason);
    text(params, "pid", 0, CT_FIELD_MAX, &in->pid, reason);
    text(params, "patient_event_id", 0, CT_FIELD_MAX, &in->patient_event_id, reason);
    in->urgent = boolean(params, "urgent", reason);
    text(params, "validation", 0, 16, &validation, reason);
    if (!strcmp(validation, "strict"))
        in->strict = 1;
    else if (validation[0] && strcmp(validation, "relaxed") != 0)
        flag(reason, "validation", INVALID);
    return done(reason, out_reason);
}

cm_err message_post_input_read(const json_t *params, struct message_post_in *in,
                               json_t **out_reason)
{
    json_t *reason = json_object();

    memset(in, 0, sizeof *in);
    text(params, "thread_id", 1, CT_FIELD_MAX, &in->thread_id, reason);
    text(params, "message", 1, CT_MESSAGE_MAX, &in->message, reason);
    list(params, "attachment_ids", 0, 0, CT_MAX_ATTACHMENTS, CT_FIELD_MAX, &in->attachment_ids,
         reason);
    return done(reason, out_reason);
}

cm_err page_input_read(const json_t *params, struct page_in *in, json_t **out_reason)
{
    json_t *reason = json_object();

    memset(in, 0, sizeof *in);
    text(params, "message", 1, CT_MESSAGE_MAX, &in->message, reason);
    text(params, "pager_number", 0, 64, &in->pager_number, reason);
    return done(reason, out_reason);
}

char *ct_list_json(const struct ct_list *l)
{
    json_t *a = json_array();
    char *s;

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->items[i]));
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (!s)
        abort(); /* out of memory: cm_xmalloc's policy */
    return s;
}
