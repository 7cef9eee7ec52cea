/* levels.c: privacy levels between JSON lists and bit masks (levels.h). */
#include <stdio.h>
#include <string.h>

#include "levels.h"

static const struct {
    const char *name;
    int bit;
} level_names[] = {
    {"mhci", LEVEL_MHCI},
    {"transcript", LEVEL_TRANSCRIPT},
};
#define NLEVELS (sizeof level_names / sizeof level_names[0])

cm_err levels_read_body(const char *body, size_t len, const char *member, int *out, char *err,
                        size_t cap)
{
    json_error_t jerr;
    json_t *doc, *list, *v;
    const char *key;
    size_t i;
    int mask = 0;
    cm_err rc = CM_EINVAL;

    if (!body || len == 0) {
        snprintf(err, cap, "You are missing the body parameter %s", member);
        return CM_EINVAL;
    }
    doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(doc)) {
        snprintf(err, cap, "The body must be a JSON object");
        goto done;
    }
    json_object_foreach(doc, key, v)
    {
        if (strcmp(key, member)) {
            snprintf(err, cap, "Unknown body parameter (only %s is accepted)", member);
            goto done;
        }
    }
    list = json_object_get(doc, member);
    if (!list) {
        snprintf(err, cap, "You are missing the body parameter %s", member);
        goto done;
    }
    if (!json_is_array(list)) {
        snprintf(err, cap, "%s must be a list", member);
        goto done;
    }
    json_array_foreach(list, i, v)
    {
        size_t k = 0;
        const char *s = json_string_value(v);
        while (s && k < NLEVELS && strcmp(s, level_names[k].name))
            k++;
        if (!s || k == NLEVELS) {
            snprintf(err, cap, "%s[%zu] must be one of \"mhci\", \"transcript\"", member, i);
            goto done;
        }
        mask |= level_names[k].bit;
    }
    *out = mask;
    rc = CM_OK;
done:
    json_decref(doc);
    return rc;
}

json_t *levels_json(int mask)
{
    json_t *a = json_array();
    for (size_t k = 0; k < NLEVELS; k++)
        if (mask & level_names[k].bit)
            json_array_append_new(a, json_string(level_names[k].name));
    return a;
}
