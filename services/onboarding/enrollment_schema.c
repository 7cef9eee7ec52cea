/* enrollment_schema.c: a JSON Schema (draft 2020-12 subset) validator for
 * enrollment data (enrollment_schema.h). */
#include "enrollment_schema.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

struct ctx {
    char *where;
    size_t wcap;
    char *why;
    size_t ycap;
};

static int fail(struct ctx *c, const char *path, const char *why)
{
    snprintf(c->where, c->wcap, "%s", path);
    snprintf(c->why, c->ycap, "%s", why);
    return 0;
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int is_type(const json_t *v, const char *t)
{
    if (!strcmp(t, "object"))
        return json_is_object(v);
    if (!strcmp(t, "array"))
        return json_is_array(v);
    if (!strcmp(t, "string"))
        return json_is_string(v);
    if (!strcmp(t, "number"))
        return json_is_number(v);
    if (!strcmp(t, "integer"))
        return json_is_integer(v) ||
               (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)));
    if (!strcmp(t, "boolean"))
        return json_is_boolean(v);
    if (!strcmp(t, "null"))
        return json_is_null(v);
    return 0;
}

static int equal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    return json_equal((json_t *)a, (json_t *)b);
}

static int valid(struct ctx *c, const json_t *s, const json_t *d, const char *path, int depth);

/* Escapes key for a JSON pointer segment into out. */
static void child_path(char *out, size_t cap, const char *path, const char *key)
{
    size_t n = (size_t)snprintf(out, cap, "%s/", path);
    for (; *key && n + 3 < cap; key++) {
        if (*key == '~' || *key == '/') {
            out[n++] = '~';
            out[n++] = *key == '~' ? '0' : '1';
        } else {
            out[n++] = *key;
        }
    }
    out[n < cap ? n : cap - 1] = '\0';
}

static int valid_number(struct ctx *c, const json_t *s, double x, const char *path)
{
    const json_t *k;

    if ((k = json_object_get(s, "minimum")) && json_is_number(k) && x < json_number_value(k))
        return fail(c, path, "is below minimum");
    if ((k = json_object_get(s, "maximum")) && json_is_number(k) && x > json_number_value(k))
        return fail(c, path, "is above maximum");
    if ((k = json_object_get(s, "exclusiveMinimum")) && json_is_number(k) &&
        x <= json_number_value(k))
        return fail(c, path, "is not above exclusiveMinimum");
    if ((k = json_object_get(s, "exclusiveMaximum")) && json_is_number(k) &&
        x >= json_number_value(k))
        return fail(c, path, "is not below exclusiveMaximum");
    if ((k = json_object_get(s, "multipleOf")) && json_is_number(k) && json_number_value(k) > 0) {
        double q = x / json_number_value(k);
        if (fabs(q - round(q)) > 1e-9)
            return fail(c, path, "is not a multiple of multipleOf");
    }
    return 1;
}

static int valid_string(struct ctx *c, const json_t *s, const char *str, const char *path)
{
    const json_t *k;
    size_t n = utf8_len(str);

    if ((k = json_object_get(s, "minLength")) && json_is_integer(k) &&
        (json_int_t)n < json_integer_value(k))
        return fail(c, path, "is shorter than minLength");
    if ((k = json_object_get(s, "maxLength")) && json_is_integer(k) &&
        (json_int_t)n > json_integer_value(k))
        return fail(c, path, "is longer than maxLength");
    if ((k = json_object_get(s, "pattern")) && json_is_string(k)) {
        regex_t re;
        int m;
        if (regcomp(&re, json_string_value(k), REG_EXTENDED | REG_NOSUB) != 0)
            return fail(c, path, "the schema's pattern is not a regular expression");
        m = regexec(&re, str, 0, NULL, 0);
        regfree(&re);
        if (m != 0)
            return fail(c, path, "does not match pattern");
    }
    return 1;
}

static int valid_object(struct ctx *c, const json_t *s, const json_t *d, const char *path,
                        int depth)
{
    const json_t *props = json_object_get(s, "properties"), *req = json_object_get(s, "required");
    const json_t *addl = json_object_get(s, "additionalProperties"), *v, *sub;
    const char *key;
    char child[512];
    size_t i;

    json_array_foreach(req, i, v)
    {
        if (json_is_string(v) && !json_object_get(d, json_string_value(v))) {
            child_path(child, sizeof child, path, json_string_value(v));
            return fail(c, child, "is required");
        }
    }
    json_object_foreach((json_t *)d, key, v)
    {
        child_path(child, sizeof child, path, key);
        sub = json_is_object(props) ? json_object_get(props, key) : NULL;
        if (!sub)
            sub = addl;
        if (sub && !valid(c, sub, v, child, depth + 1))
            return sub == addl && json_is_false(addl) ? fail(c, child, "is not allowed") : 0;
    }
    return 1;
}

static int valid_array(struct ctx *c, const json_t *s, const json_t *d, const char *path, int depth)
{
    const json_t *k, *items = json_object_get(s, "items"), *v;
    char child[512];
    size_t i;

    if ((k = json_object_get(s, "minItems")) && json_is_integer(k) &&
        (json_int_t)json_array_size(d) < json_integer_value(k))
        return fail(c, path, "has fewer items than minItems");
    if ((k = json_object_get(s, "maxItems")) && json_is_integer(k) &&
        (json_int_t)json_array_size(d) > json_integer_value(k))
        return fail(c, path, "has more items than maxItems");
    if (items)
        json_array_foreach(d, i, v)
        {
            snprintf(child, sizeof child, "%s/%zu", path, i);
            if (!valid(c, items, v, child, depth + 1))
                return 0;
        }
    return 1;
}

static int valid(struct ctx *c, const json_t *s, const json_t *d, const char *path, int depth)
{
    const json_t *k, *v;
    size_t i, n;
    int ok;

    if (json_is_true(s))
        return 1;
    if (json_is_false(s))
        return fail(c, path, "is not allowed");
    if (!json_is_object(s))
        return 1; /* not a schema: nothing to check */
    if (depth > SCHEMA_MAX_DEPTH)
        return fail(c, path, "the schema nests too deeply");
    if ((k = json_object_get(s, "type"))) {
        ok = json_is_string(k) && is_type(d, json_string_value(k));
        json_array_foreach(k, i, v) ok |= json_is_string(v) && is_type(d, json_string_value(v));
        if (!ok)
            return fail(c, path, "has the wrong type");
    }
    if ((k = json_object_get(s, "enum")) && json_is_array(k)) {
        ok = 0;
        json_array_foreach(k, i, v) ok |= equal(v, d);
        if (!ok)
            return fail(c, path, "is not one of enum");
    }
    if ((k = json_object_get(s, "const")) && !equal(k, d))
        return fail(c, path, "is not const");
    if (json_is_number(d) && !valid_number(c, s, json_number_value(d), path))
        return 0;
    if (json_is_string(d) && !valid_string(c, s, json_string_value(d), path))
        return 0;
    if (json_is_object(d) && !valid_object(c, s, d, path, depth))
        return 0;
    if (json_is_array(d) && !valid_array(c, s, d, path, depth))
        return 0;
    json_array_foreach(json_object_get(s, "allOf"), i,
                       v) if (!valid(c, v, d, path, depth + 1)) return 0;
    if ((k = json_object_get(s, "anyOf")) && json_is_array(k)) {
        ok = 0;
        json_array_foreach(k, i, v) ok |= valid(c, v, d, path, depth + 1);
        if (!ok)
            return fail(c, path, "matches no schema of anyOf");
    }
    if ((k = json_object_get(s, "oneOf")) && json_is_array(k)) {
        n = 0;
        json_array_foreach(k, i, v) n += (size_t)valid(c, v, d, path, depth + 1);
        if (n != 1)
            return fail(c, path, "does not match exactly one schema of oneOf");
    }
    if ((k = json_object_get(s, "not")) && valid(c, k, d, path, depth + 1))
        return fail(c, path, "matches the schema of not");
    return 1;
}

int enrollment_schema_valid(const json_t *schema, const json_t *data, char *where, size_t wcap,
                            char *why, size_t ycap)
{
    struct ctx c = {where, wcap, why, ycap};

    if (wcap)
        where[0] = '\0';
    if (ycap)
        why[0] = '\0';
    return valid(&c, schema, data, "", 0);
}
