/* cm_body.h: request parameters from a body or a query string.
 *
 * The messaging surface accepts the same parameters as a form post
 * (application/x-www-form-urlencoded), a JSON object or a flat XML document;
 * these functions turn each into one JSON object of parameters so handlers
 * read them one way. All input is untrusted: sizes, depth and UTF-8 are
 * checked, and nothing here allocates without bound. */
#ifndef CM_BODY_H
#define CM_BODY_H

#include <jansson.h>
#include <stddef.h>

#include "cm_err.h"

enum cm_body_kind { CM_BODY_FORM, CM_BODY_JSON, CM_BODY_XML, CM_BODY_UNSUPPORTED };

/* Limits applied by every parser. */
#define CM_BODY_MAX_PARAMS 1024 /* keys (form, XML) or members at any depth (JSON) */
#define CM_BODY_MAX_DEPTH 32    /* JSON nesting, XML element nesting */

/* Kind of body named by a Content-Type header value (parameters such as
 * "; charset=utf-8" ignored, case-insensitive). NULL or empty → CM_BODY_FORM
 * (curl -d sends form bodies); "text/xml" and "application/xml" → XML;
 * "application/json" and "application/<anything>+json" → JSON; anything else →
 * CM_BODY_UNSUPPORTED. */
enum cm_body_kind cm_body_kind_of(const char *content_type);

/* Parses body (len bytes, not NUL-terminated) of the given content type into
 * a JSON object of parameters, stored in *out_params (caller json_decref) on
 * CM_OK.
 *  - form: "a=1&b=2&a=3", '+' and %XX decoded; a key seen once maps to a
 *    string, a repeated key to an array of strings in order. Empty body → {}.
 *  - JSON: the top level must be an object; it is returned as parsed.
 *    Empty body → {}.
 *  - XML: a document whose root element has only text maps to
 *    {root-name: text} ("<message>hello</message>" → {"message":"hello"});
 *    otherwise each child element of the root with text content maps to
 *    {child-name: text}, repeated names to arrays, and a child with child
 *    elements of its own to a nested object by the same rule. Attributes,
 *    comments and namespace prefixes are ignored; mixed content, DTDs,
 *    entities other than the predefined and numeric ones, and network access
 *    are refused. The body must be UTF-8. Empty body → {}.
 * NUL bytes are refused in keys and values of every kind.
 * Returns CM_EINVAL for malformed input, invalid UTF-8 (in keys or values),
 * a non-object JSON top level or an unsupported content type; CM_ETOOBIG
 * past CM_BODY_MAX_PARAMS or CM_BODY_MAX_DEPTH. On error a short message
 * for the client (no input echoed) is written to err (errlen bytes). */
cm_err cm_body_parse(const char *content_type, const char *body, size_t len, json_t **out_params,
                     char *err, size_t errlen);

/* Parses a query string or form body ("a=1&b=%20x") as cm_body_parse does
 * for forms. */
cm_err cm_body_parse_form(const char *s, size_t len, json_t **out_params, char *err,
                          size_t errlen);

/* Borrowed string value of params[key]: the string itself, or the last
 * element of an array of strings; NULL when absent or of another type
 * (numbers and booleans of JSON bodies are NOT converted here).
 * Valid while params is alive. */
const char *cm_body_get_str(const json_t *params, const char *key);

/* Decodes %XX escapes of src[0..len) into dst (room for len bytes), and '+'
 * into ' ' when plus_is_space (forms and query strings, not paths). Returns
 * the decoded length, or SIZE_MAX on a malformed escape. dst is not
 * NUL-terminated and may hold NUL bytes: check them where they matter. */
size_t cm_percent_decode(char *dst, const char *src, size_t len, int plus_is_space);

/* True when s[0..len) is well-formed UTF-8: no overlong forms, surrogates or
 * code points past U+10FFFF. */
int cm_utf8_valid(const unsigned char *s, size_t len);

/* Number of characters (code points) of the UTF-8 string s (NUL-terminated). */
size_t cm_body_utf8_chars(const char *s);

/* True when params has key, whatever its value. */
int cm_body_has(const json_t *params, const char *key);

#endif
