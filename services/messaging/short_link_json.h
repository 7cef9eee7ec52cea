/* short_link_json.h: url-shorteners (#131-#134) as JSON:API resources.
 * short-url is base + "/s/" + code (base: SHORT_LINK_BASE). Pure. */
#ifndef MESSAGING_SHORT_LINK_JSON_H
#define MESSAGING_SHORT_LINK_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "store_short_links.h"

/* The public URL of code into out (cap bytes). */
void short_link_url(const char *base, const char *code, char *out, size_t cap);

json_t *short_link_json(const struct short_link_rec *l, const char *base);
json_t *short_link_json_list(const struct short_link_list *l, const char *base);

#endif
