/* input.c: onboarding's readers of request members (see input.h). */
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_body.h"
#include "cm_jsonapi.h"
#include "validate.h"

static cm_err bad(struct cm_req *rq, const char *prefix, const char *name, const char *detail)
{
    char ptr[128];
    snprintf(ptr, sizeof ptr, "%s/%s", prefix, name);
    return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s %s", name, detail);
}

/* The member, or NULL when absent or null. */
static json_t *given(const json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return json_is_null(v) ? NULL : v;
}

cm_err input_object_text(struct cm_req *rq, const json_t *obj, const char *prefix,
                         const char *name, char **out)
{
    json_t *v = given(obj, name);
    char *text;

    *out = NULL;
    if (!v)
        return CM_OK;
    if (!json_is_object(v))
        return bad(rq, prefix, name, "must be an object");
    text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return bad(rq, prefix, name, "could not be read");
    if (strlen(text) > INPUT_MAX_OBJECT_BYTES) {
        free(text);
        return bad(rq, prefix, name, "is too large (16 KiB at most)");
    }
    *out = text;
    return CM_OK;
}

cm_err input_checked_str(struct cm_req *rq, const json_t *obj, const char *prefix,
                         const char *name, int required, size_t maxchars,
                         int (*check)(const char *), const char *what, const char **out)
{
    char detail[160];
    cm_err err = cm_json_str(rq, obj, prefix, name, required, 0, maxchars, out);

    if (err != CM_OK || !*out || !check || check(*out))
        return err;
    *out = NULL;
    snprintf(detail, sizeof detail, "must be %s", what);
    return bad(rq, prefix, name, detail);
}

/* "one of \"a\", \"b\"" into buf. */
static void list_values(char *buf, size_t cap, const char *const *values)
{
    size_t n = (size_t)snprintf(buf, cap, "must be one of");
    for (const char *const *v = values; *v && n < cap; v++)
        n += (size_t)snprintf(buf + n, cap - n, "%s \"%s\"", v == values ? "" : ",", *v);
}

cm_err input_enum(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                  const char *const *values, const char **out)
{
    char detail[200];
    cm_err err = cm_json_str(rq, obj, prefix, name, 0, 0, 64, out);

    if (err != CM_OK || !*out || validate_enum(*out, values))
        return err;
    *out = NULL;
    list_values(detail, sizeof detail, values);
    return bad(rq, prefix, name, detail);
}

cm_err input_string_array(struct cm_req *rq, const json_t *obj, const char *prefix,
                          const char *name, size_t max_items, size_t maxchars,
                          const char *const *values, char **out)
{
    json_t *v = given(obj, name), *item;
    char detail[200];
    size_t i;

    *out = NULL;
    if (!v)
        return CM_OK;
    if (!json_is_array(v) || json_array_size(v) > max_items) {
        snprintf(detail, sizeof detail, "must be an array of at most %zu strings", max_items);
        return bad(rq, prefix, name, detail);
    }
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);
        size_t chars = s ? cm_body_utf8_chars(s) : 0;
        if (!s || strlen(s) != json_string_length(item) || chars < 1 || chars > maxchars) {
            snprintf(detail, sizeof detail, "must hold strings of 1 to %zu characters", maxchars);
            return bad(rq, prefix, name, detail);
        }
        if (values && !validate_enum(s, values)) {
            list_values(detail, sizeof detail, values);
            return bad(rq, prefix, name, detail);
        }
    }
    *out = json_dumps(v, JSON_COMPACT);
    return CM_OK;
}
