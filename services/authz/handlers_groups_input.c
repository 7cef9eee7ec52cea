/* handlers_groups_input.c: readers of the groups' input: the enums, the
 * filter[cmp-last-modified-time] items, and arrays of ids or strings in
 * bodies, the filters of the groups lists, and the move check
 * (handlers_groups.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "handlers_groups.h"

static int one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(s, *set))
            return 1;
    return 0;
}

int groups_type_valid(const char *s)
{
    static const char *const set[] = {"all_participants", "provider_only", "regular",
                                      "unassigned", NULL};
    return one_of(s, set);
}

int groups_node_type_valid(const char *s)
{
    static const char *const set[] = {"division", "group", NULL};
    return one_of(s, set);
}

int groups_tree_node_type_valid(const char *s)
{
    static const char *const set[] = {"leaf", "non-leaf", NULL};
    return one_of(s, set);
}

cm_err groups_move_verdict(const char *id, const char *org, const char *to, const char *to_org,
                           char *err, size_t errlen)
{
    if (!strcmp(id, to)) {
        snprintf(err, errlen, "a group cannot be its own parent");
        return CM_EINVAL;
    }
    if (strcmp(org, to_org)) {
        snprintf(err, errlen, "the new parent is in another organization");
        return CM_EINVAL;
    }
    return CM_OK;
}

/* True when arr already holds the string s. */
static int has_string(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), s)) return 1;
    return 0;
}

cm_err groups_json_strings(struct cm_req *rq, const json_t *obj, const char *prefix,
                           const char *name, int required, int uuids, size_t maxchars,
                           size_t max, json_t **out)
{
    json_t *v = json_object_get(obj, name), *arr, *item;
    char ptr[128];
    size_t i;

    *out = NULL;
    snprintf(ptr, sizeof ptr, "%s/%s", prefix, name);
    if (!v || json_is_null(v))
        return required ? cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s is required", name) : CM_OK;
    if (!json_is_array(v))
        return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s must be an array", name);
    if (required && json_array_size(v) == 0)
        return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s must not be empty", name);
    if (json_array_size(v) > max)
        return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s has more than %zu items", name, max);
    arr = json_array();
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);
        size_t chars = 0;

        snprintf(ptr, sizeof ptr, "%s/%s/%zu", prefix, name, i);
        if (s)
            for (const char *p = s; *p; p++)
                chars += ((unsigned char)*p & 0xC0) != 0x80;
        if (!s || (uuids && !cm_uuid_valid(s)) || chars == 0 || chars > maxchars) {
            json_decref(arr);
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL,
                              uuids ? "each item must be a uuid"
                                    : "each item must be a string of 1 to %zu characters",
                              maxchars);
        }
        if (!has_string(arr, s))
            json_array_append_new(arr, json_string(s));
    }
    *out = arr;
    return CM_OK;
}

/* --- list filters --- */

#define CMP_PARAM "filter[cmp-last-modified-time]"

struct array_ctx {
    json_t *arr;
    const char *param;
    int (*valid)(const char *);
    const char *what;
    size_t max;
};

static int uuid_ok(const char *s)
{
    return cm_uuid_valid(s);
}

/* Adds each comma-separated item of value to a->arr. */
static cm_err array_item(struct cm_req *rq, const char *value, void *ctx)
{
    struct array_ctx *a = ctx;
    const char *p = value;

    for (;;) {
        size_t len = strcspn(p, ",");
        char item[256];

        if (len == 0 || len >= sizeof item)
            return cm_fail_at(rq, CM_EINVAL, NULL, a->param, "each item must be %s", a->what);
        memcpy(item, p, len);
        item[len] = '\0';
        if (!a->valid(item))
            return cm_fail_at(rq, CM_EINVAL, NULL, a->param, "each item must be %s", a->what);
        if (!has_string(a->arr, item))
            json_array_append_new(a->arr, json_string(item));
        if (json_array_size(a->arr) > a->max)
            return cm_fail_at(rq, CM_EINVAL, NULL, a->param, "at most %zu items", a->max);
        if (!p[len])
            return CM_OK;
        p += len + 1;
    }
}

/* Reads array query parameter param (repeated keys or comma-separated) into
 * a new array *out; NULL when absent. */
static cm_err query_array(struct cm_req *rq, const char *param, int (*valid)(const char *),
                          const char *what, json_t **out)
{
    struct array_ctx a = {json_array(), param, valid, what, GROUPS_MAX_IDS};
    cm_err err = cm_query_each(rq, param, (CM_UUID_LEN + 1) * GROUPS_MAX_IDS, array_item, &a);

    if (err != CM_OK || json_array_size(a.arr) == 0) {
        json_decref(a.arr);
        *out = NULL;
        return err;
    }
    *out = a.arr;
    return CM_OK;
}

/* One filter[tags] value, kept whole (a tag may hold a comma). */
static cm_err tag_item(struct cm_req *rq, const char *value, void *ctx)
{
    struct array_ctx *a = ctx;

    if (!value[0])
        return cm_fail_at(rq, CM_EINVAL, NULL, a->param, "a tag must not be empty");
    if (!has_string(a->arr, value))
        json_array_append_new(a->arr, json_string(value));
    if (json_array_size(a->arr) > a->max)
        return cm_fail_at(rq, CM_EINVAL, NULL, a->param, "at most %zu items", a->max);
    return CM_OK;
}

/* One filter[cmp-last-modified-time] item into q's bounds. */
static cm_err cmp_item(struct cm_req *rq, const char *value, void *ctx)
{
    struct gs_list_query *q = ctx;
    char op[3], when[GS_TIME_LEN], *slot;

    if (cm_cmp_time_parse(value, 1, op, when) != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, NULL, CMP_PARAM,
                          "each comparison is >, >=, < or <= followed by an RFC 3339 date-time");
    slot = !strcmp(op, ">") ? q->time_gt : !strcmp(op, ">=") ? q->time_ge
         : !strcmp(op, "<") ? q->time_lt : q->time_le;
    if (slot[0])
        return cm_fail_at(rq, CM_EINVAL, NULL, CMP_PARAM, "each comparator at most once");
    if ((q->time_gt[0] != 0) + (q->time_ge[0] != 0) + (q->time_lt[0] != 0) +
            (q->time_le[0] != 0) >= 2)
        return cm_fail_at(rq, CM_EINVAL, NULL, CMP_PARAM, "at most 2 comparisons");
    snprintf(slot, GS_TIME_LEN, "%s", when);
    return CM_OK;
}

/* A query parameter from a fixed set (valid), into buf (cap). */
static cm_err query_enum(struct cm_req *rq, const char *param, int (*valid)(const char *),
                         const char *what, char *buf, size_t cap)
{
    cm_err err = cm_query_text(rq, param, 16, buf, cap);

    if (err == CM_OK && buf[0] && !valid(buf))
        return cm_fail_at(rq, CM_EINVAL, NULL, param, "must be %s", what);
    return err;
}

/* The JSON text of arr into *out (caller frees); NULL for NULL. */
static char *dump(const json_t *arr)
{
    return arr ? json_dumps(arr, JSON_COMPACT) : NULL;
}

cm_err groups_list_input_read(struct cm_req *rq, int v1, struct groups_list_input *in)
{
    /* v1 knows every one; v2 all but the last two */
    static const char *const known[] = {
        "exclude[individual-id]", CMP_PARAM, "filter[eligible-individual-id]",
        "filter[exclude-ids]", "filter[include-inactive]", "filter[individual-id]",
        "filter[leader-id]", "filter[node-type]", "filter[parent-group-id]", "filter[tags]",
        "filter[text]", "filter[tree-node-type]", "ids", "name", "organization-id",
        "page[limit]", "page[offset]", "type", "with-individuals", "with-members", NULL};
    enum { NKNOWN = sizeof known / sizeof known[0] };
    const char *known_v2[NKNOWN];
    struct gs_list_query *q = &in->q;
    struct array_ctx tags = {json_array(), "filter[tags]", NULL, NULL, GROUPS_MAX_TAGS};
    json_t *ids = NULL, *exclude = NULL, *types = NULL;
    cm_err err;

    memset(in, 0, sizeof *in);
    memcpy(known_v2, known, sizeof known);
    known_v2[NKNOWN - 3] = NULL;
    err = cm_query_known(rq, v1 ? known : known_v2);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &q->limit, &q->offset);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", q->organization_id);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[parent-group-id]", q->parent_group_id);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[individual-id]", q->individual_id);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "exclude[individual-id]", q->exclude_individual_id);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[leader-id]", q->leader_id);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[eligible-individual-id]", q->eligible_individual_id);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[include-inactive]", 0, &q->include_inactive);
    if (err == CM_OK)
        err = query_enum(rq, "filter[node-type]", groups_node_type_valid, "division or group",
                         in->node_type, sizeof in->node_type);
    if (err == CM_OK)
        err = query_enum(rq, "filter[tree-node-type]", groups_tree_node_type_valid,
                         "leaf or non-leaf", in->tree_node_type, sizeof in->tree_node_type);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[text]", GROUPS_NAME_CHARS, in->text, sizeof in->text);
    if (err == CM_OK)
        err = cm_query_text(rq, "name", GROUPS_NAME_CHARS, in->name, sizeof in->name);
    if (err == CM_OK)
        err = cm_query_each(rq, CMP_PARAM, 40, cmp_item, q);
    if (err == CM_OK)
        err = cm_query_each(rq, "filter[tags]", GROUPS_TAG_CHARS, tag_item, &tags);
    if (err == CM_OK)
        err = query_array(rq, "ids", uuid_ok, "a uuid", &ids);
    if (err == CM_OK)
        err = query_array(rq, "filter[exclude-ids]", uuid_ok, "a uuid", &exclude);
    if (err == CM_OK)
        err = query_array(rq, "type", groups_type_valid,
                          "all_participants, provider_only, regular or unassigned", &types);
    if (err == CM_OK && v1)
        err = cm_query_bool(rq, "with-individuals", 0, &in->with_individuals);
    if (err == CM_OK && v1)
        err = cm_query_bool(rq, "with-members", 0, &in->with_members);
    if (err == CM_OK && !types) /* the seed's default "regular&type=provider_only" */
        types = json_pack("[s, s]", "regular", "provider_only");
    if (err == CM_OK) {
        in->ids_json = dump(ids);
        in->exclude_json = dump(exclude);
        in->types_json = dump(types);
        in->tags_json = json_array_size(tags.arr) ? dump(tags.arr) : NULL;
        q->ids_json = in->ids_json;
        q->exclude_ids_json = in->exclude_json;
        q->types_json = in->types_json;
        q->tags_json = in->tags_json;
        q->node_type = in->node_type;
        q->tree_node_type = in->tree_node_type;
        q->text = in->text;
        q->name = in->name;
    }
    json_decref(tags.arr);
    json_decref(ids);
    json_decref(exclude);
    json_decref(types);
    return err;
}

void groups_list_input_release(struct groups_list_input *in)
{
    free(in->ids_json);
    free(in->exclude_json);
    free(in->types_json);
    free(in->tags_json);
    memset(in, 0, sizeof *in);
}
