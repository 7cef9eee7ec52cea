/* doc_json.c: service documents and check-ins as JSON (doc_json.h). */
#include "doc_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"

#define REFLOW_STYLE                                                                               \
    "<style>body{max-width:100%;word-wrap:break-word;overflow-wrap:break-word;}"                   \
    "img,table{max-width:100%;height:auto;}</style>"

json_t *doc_resource(const struct doc_rec *d, const char *locale, int with_html, int reflow)
{
    json_t *attrs = json_object(), *tr = json_loads(d->translations, 0, NULL), *item;
    const char *title = d->title, *link = d->html_link;
    size_t i;

    if (!json_is_array(tr)) {
        json_decref(tr);
        tr = json_array();
    }
    if (locale && locale[0]) {
        json_array_foreach(tr, i, item)
        {
            const char *l = json_string_value(json_object_get(item, "locale"));
            if (l && !strcmp(l, locale)) {
                const char *t = json_string_value(json_object_get(item, "title"));
                const char *h = json_string_value(json_object_get(item, "html-link"));
                title = t ? t : title;
                link = h ? h : link;
                break;
            }
        }
    }
    json_object_set_new(attrs, "created-time", json_string(d->created_at));
    json_object_set_new(attrs, "html-link", json_string(link));
    json_object_set_new(attrs, "organization",
                        d->organization_id[0] ? json_pack("{s:s}", "id", d->organization_id)
                                              : json_null());
    json_object_set_new(attrs, "required", json_boolean(d->required));
    json_object_set_new(attrs, "title", json_string(title));
    json_object_set_new(attrs, "translations", tr);
    json_object_set_new(attrs, "type", json_string(d->type));
    json_object_set_new(attrs, "version", json_string(d->version));
    if (with_html) {
        json_t *h = json_string(d->html);
        if (reflow) {
            size_t n = strlen(REFLOW_STYLE) + strlen(d->html) + 1;
            char *buf = malloc(n);
            if (buf) {
                snprintf(buf, n, "%s%s", REFLOW_STYLE, d->html);
                json_decref(h);
                h = json_string(buf);
                free(buf);
            }
        }
        json_object_set_new(attrs, "html", h);
    }
    return cm_jsonapi_resource(DOC_TYPE, d->id, attrs);
}

json_t *doc_ref(const struct doc_rec *d)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", d->id, "type", d->type, "version",
                     d->version, "title", d->title, "html-link", d->html_link);
}

json_t *doc_agreements_refusal(const struct doc_list *l, const char *pointer)
{
    json_t *refs = json_array();
    char detail[256];
    size_t used;

    used = (size_t)snprintf(detail, sizeof detail,
                            "agreement to the current service documents is required:");
    for (size_t i = 0; i < l->n; i++) {
        json_array_append_new(refs, doc_ref(&l->items[i]));
        if (used < sizeof detail)
            used += (size_t)snprintf(detail + used, sizeof detail - used, "%s %s", i ? "," : "",
                                     l->items[i].id);
    }
    return cm_jsonapi_error_doc(403, AGREEMENTS_CODE, detail, pointer,
                                json_pack("{s:o}", "service-documents", refs));
}

json_t *checkin_resource(const struct checkin_rec *c)
{
    return cm_jsonapi_resource(CHECKIN_TYPE, c->id,
                               json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "app-version",
                                         c->app_version, "created-time", c->created_at, "model",
                                         c->model, "os-version", c->os_version, "source", c->source,
                                         "user-id", c->user_id));
}
