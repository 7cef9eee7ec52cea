/* short_links_input.h: what a short link may point at, and the input of
 * the url-shorteners operations (#131-#134). The checks and the URL split
 * are pure and unit-tested. */
#ifndef MESSAGING_SHORT_LINKS_INPUT_H
#define MESSAGING_SHORT_LINKS_INPUT_H

#include <jansson.h>
#include <stddef.h>

#include "cm_jsonapi.h"
#include "cm_service.h"
#include "store_short_links.h"

#define SHORT_MAX_NETLOC 255
#define SHORT_MAX_PATH 2048

/* True for a host name or IPv4 address ([A-Za-z0-9.-], starting and ending
 * with a letter or digit), optionally ":port" (1..65535). */
int short_link_netloc_ok(const char *s);

/* True for a path (with query and fragment) that starts with '/', has
 * 1..SHORT_MAX_PATH bytes and only printable ASCII without spaces. */
int short_link_path_ok(const char *s);

/* Splits an absolute http(s) URL into scheme ("http"/"https"), netloc and
 * full path ("/" when none) into the given buffers (scheme 6 bytes, netloc
 * SHORT_MAX_NETLOC + 1, path SHORT_MAX_PATH + 1). 0 on success, -1 when it
 * is not such a URL or a part fails the checks above. */
int short_link_split(const char *url, char *scheme, char *netloc, char *path);

/* A create (id NULL: organization-id, netloc and full-path required) or
 * update (id: data.id must match) body into *f; expires-at (RFC 3339, or
 * null to remove it on update) normalised into expires (CM_TIME_LEN
 * bytes). Borrows from *out_doc (caller json_decref). */
cm_err short_link_body_read(struct cm_req *rq, const char *id, struct short_link_fields *f,
                            char *expires, json_t **out_doc);

#endif
