/* short_link_json.c: short links as resources (short_link_json.h). */
#include "short_link_json.h"

#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"

void short_link_url(const char *base, const char *code, char *out, size_t cap)
{
    size_t n = strlen(base);

    snprintf(out, cap, "%.*s/s/%s", (int)(n && base[n - 1] == '/' ? n - 1 : n), base, code);
}

json_t *short_link_json(const struct short_link_rec *l, const char *base)
{
    char url[600];
    json_t *a = json_object();

    short_link_url(base, l->code, url, sizeof url);
    json_object_set_new(a, "code", json_string(l->code));
    json_object_set_new(a, "created-at", json_string(l->created_at));
    json_object_set_new(a, "expires-at", cm_json_str_or_null(l->expires_at));
    json_object_set_new(a, "full-path", json_string(l->full_path));
    json_object_set_new(a, "netloc", json_string(l->netloc));
    json_object_set_new(a, "organization-id", cm_json_str_or_null(l->organization_id));
    json_object_set_new(a, "redirect-count", json_integer(l->redirect_count));
    json_object_set_new(a, "redirect-url", json_string(l->redirect_url));
    json_object_set_new(a, "scheme", json_string(l->scheme));
    json_object_set_new(a, "short-url", json_string(url));
    return cm_jsonapi_resource("url-shorteners", l->id, a);
}

json_t *short_link_json_list(const struct short_link_list *l, const char *base)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(arr, short_link_json(&l->items[i], base));
    return arr;
}
