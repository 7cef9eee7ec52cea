/* cm_body.c: request parameters from form, JSON and XML bodies.
 *
 * Each parser turns untrusted bytes into one JSON object of parameters (see
 * cm_body.h). Work is linear in the input: the form parser makes one pass,
 * jansson and libxml2 parse with their own depth guards, libxml2 is stopped
 * as soon as a document declares a DTD or grows past the limits, and the
 * walks that enforce CM_BODY_MAX_DEPTH and CM_BODY_MAX_PARAMS check the depth
 * before they recurse, so they never go deeper than CM_BODY_MAX_DEPTH + 1. */
#include "cm_body.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cm_alloc.h"

/* Messages for the client: short, fixed, never echoing input. */
#define MSG_NOMEM "out of memory"
#define MSG_UTF8 "invalid UTF-8 in body"
#define MSG_NUL "NUL byte in body"
#define MSG_TOO_MANY "too many parameters"
#define MSG_TOO_DEEP "body nested too deeply"
#define MSG_TOO_BIG "body too large"

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen > 0)
        snprintf(err, errlen, "%s", msg);
}

int cm_utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        unsigned int cp;
        size_t n;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return 0;
        }
        if (len - i - 1 < n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            unsigned char cc = s[i + k];
            if ((cc & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* Adds v (stolen, also on error) to params under key: as is the first time,
 * then as an array of every value in order. */
static cm_err add_param(json_t *params, const char *key, json_t *v)
{
    json_t *cur = json_object_get(params, key);
    json_t *arr;

    if (!cur)
        return json_object_set_new(params, key, v) == 0 ? CM_OK : CM_ENOMEM;
    if (json_is_array(cur))
        return json_array_append_new(cur, v) == 0 ? CM_OK : CM_ENOMEM;
    arr = json_array();
    if (!arr || json_array_append(arr, cur) != 0) {
        json_decref(arr);
        json_decref(v);
        return CM_ENOMEM;
    }
    if (json_array_append_new(arr, v) != 0) {
        json_decref(arr);
        return CM_ENOMEM;
    }
    return json_object_set_new(params, key, arr) == 0 ? CM_OK : CM_ENOMEM;
}

/* --- media types --- */

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* True when s[0..n) is "type/subtype" made of RFC 9110 token characters. */
static int media_type_valid(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);

    if (!slash || slash == s || slash == s + n - 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s + i != slash && !is_tchar((unsigned char)s[i]))
            return 0;
    return 1;
}

static int media_is(const char *s, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(s, want, n) == 0;
}

enum cm_body_kind cm_body_kind_of(const char *content_type)
{
    const char *s = content_type;
    const char *e;
    size_t n;

    if (!s)
        return CM_BODY_FORM;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strcspn(s, ";");
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    n = (size_t)(e - s);
    if (n == 0)
        return s[0] == '\0' ? CM_BODY_FORM : CM_BODY_UNSUPPORTED;
    if (!media_type_valid(s, n))
        return CM_BODY_UNSUPPORTED;
    if (media_is(s, n, "application/x-www-form-urlencoded"))
        return CM_BODY_FORM;
    if (media_is(s, n, "application/json"))
        return CM_BODY_JSON;
    if (media_is(s, n, "text/xml") || media_is(s, n, "application/xml"))
        return CM_BODY_XML;
    if (n > strlen("application/+json") && strncasecmp(s, "application/", 12) == 0 &&
        strncasecmp(e - 5, "+json", 5) == 0)
        return CM_BODY_JSON;
    return CM_BODY_UNSUPPORTED;
}

/* --- form --- */

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t cm_percent_decode(char *dst, const char *src, size_t len, int plus_is_space)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        if (src[i] == '+' && plus_is_space) {
            dst[o++] = ' ';
        } else if (src[i] == '%') {
            int hi, lo;
            if (len - i < 3)
                return SIZE_MAX;
            hi = hex_value((unsigned char)src[i + 1]);
            lo = hex_value((unsigned char)src[i + 2]);
            if (hi < 0 || lo < 0)
                return SIZE_MAX;
            dst[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            dst[o++] = src[i];
        }
    }
    return o;
}

/* Decodes one form component into dst and checks it; *msg on failure. */
static cm_err form_component(char *dst, const char *src, size_t len, size_t *out_len,
                             const char **msg)
{
    size_t n = cm_percent_decode(dst, src, len, 1);

    if (n == SIZE_MAX) {
        *msg = "malformed percent escape";
        return CM_EINVAL;
    }
    if (memchr(dst, '\0', n)) {
        *msg = MSG_NUL;
        return CM_EINVAL;
    }
    if (!cm_utf8_valid((const unsigned char *)dst, n)) {
        *msg = MSG_UTF8;
        return CM_EINVAL;
    }
    *out_len = n;
    return CM_OK;
}

cm_err cm_body_parse_form(const char *s, size_t len, json_t **out_params, char *err, size_t errlen)
{
    json_t *params;
    char *buf;
    size_t at = 0, count = 0;
    const char *msg = MSG_NOMEM;
    cm_err rc = CM_OK;

    if (!s && len > 0) {
        set_err(err, errlen, "missing body");
        return CM_EINVAL;
    }
    params = json_object();
    if (!params) {
        set_err(err, errlen, MSG_NOMEM);
        return CM_ENOMEM;
    }
    /* One scratch buffer holds a decoded key, its NUL and its decoded value:
     * decoding never grows, so key + '=' + value fits in len + 1 bytes. */
    buf = cm_xmalloc(len + 1);
    while (rc == CM_OK && at < len) {
        const char *seg = s + at;
        const char *amp = memchr(seg, '&', len - at);
        size_t seg_len = amp ? (size_t)(amp - seg) : len - at;
        const char *eq = memchr(seg, '=', seg_len);
        size_t key_raw = eq ? (size_t)(eq - seg) : seg_len;
        size_t key_len = 0, val_len = 0;
        char *val;
        json_t *v;

        at += seg_len + 1;
        if (seg_len == 0)
            continue; /* "a=1&&b=2", trailing '&' */
        if (++count > CM_BODY_MAX_PARAMS) {
            msg = MSG_TOO_MANY;
            rc = CM_ETOOBIG;
            break;
        }
        rc = form_component(buf, seg, key_raw, &key_len, &msg);
        if (rc != CM_OK)
            break;
        buf[key_len] = '\0';
        val = buf + key_len + 1;
        if (eq)
            rc = form_component(val, eq + 1, seg_len - key_raw - 1, &val_len, &msg);
        if (rc != CM_OK)
            break;
        v = json_stringn(val, val_len);
        rc = v ? add_param(params, buf, v) : CM_ENOMEM;
        if (rc != CM_OK)
            msg = MSG_NOMEM;
    }
    free(buf);
    if (rc != CM_OK) {
        json_decref(params);
        set_err(err, errlen, msg);
        return rc;
    }
    *out_params = params;
    return CM_OK;
}

/* --- JSON --- */

/* Checks that containers under v (itself at depth) nest at most
 * CM_BODY_MAX_DEPTH deep and that the object members and array elements
 * counted so far stay within CM_BODY_MAX_PARAMS; stops at the first breach. */
static cm_err json_check(json_t *v, int depth, size_t *count, const char **msg)
{
    json_t *m;
    size_t i, n;
    void *it;
    cm_err rc = CM_OK;

    if (!json_is_object(v) && !json_is_array(v))
        return CM_OK;
    if (depth > CM_BODY_MAX_DEPTH) {
        *msg = MSG_TOO_DEEP;
        return CM_ETOOBIG;
    }
    /* each member or element counts, then is checked in turn */
    n = json_is_object(v) ? json_object_size(v) : json_array_size(v);
    it = json_is_object(v) ? json_object_iter(v) : NULL;
    for (i = 0; i < n && rc == CM_OK; i++) {
        m = it ? json_object_iter_value(it) : json_array_get(v, i);
        if (it)
            it = json_object_iter_next(v, it);
        if (++*count > CM_BODY_MAX_PARAMS) {
            *msg = MSG_TOO_MANY;
            return CM_ETOOBIG;
        }
        rc = json_check(m, depth + 1, count, msg);
    }
    return rc;
}

/* True when body is empty or only JSON/XML whitespace. */
static int blank(const char *body, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r' && body[i] != '\n')
            return 0;
    return 1;
}

static cm_err parse_json(const char *body, size_t len, json_t **out_params, const char **msg)
{
    json_error_t jerr;
    json_t *root;
    size_t count = 0;
    cm_err rc;

    root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root) {
        switch (json_error_code(&jerr)) {
        case json_error_out_of_memory:
            *msg = MSG_NOMEM;
            return CM_ENOMEM;
        case json_error_stack_overflow:
            *msg = MSG_TOO_DEEP;
            return CM_ETOOBIG;
        case json_error_invalid_utf8:
            *msg = MSG_UTF8;
            return CM_EINVAL;
        case json_error_duplicate_key:
            *msg = "duplicate key in JSON body";
            return CM_EINVAL;
        case json_error_null_character:
        case json_error_null_byte_in_key:
            *msg = MSG_NUL;
            return CM_EINVAL;
        default:
            *msg = "malformed JSON body";
            return CM_EINVAL;
        }
    }
    if (!json_is_object(root)) {
        json_decref(root);
        *msg = "body must be a JSON object";
        return CM_EINVAL;
    }
    rc = json_check(root, 1, &count, msg);
    if (rc != CM_OK) {
        json_decref(root);
        return rc;
    }
    *out_params = root;
    return CM_OK;
}

/* --- XML --- */

/* What the SAX hooks saw; reached through ctxt->_private. */
struct xml_guard {
    int depth;       /* open elements */
    size_t count;    /* elements below the root */
    const char *msg; /* why the parser was stopped, or NULL */
    cm_err rc;
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static void xml_stop(xmlParserCtxtPtr ctxt, cm_err rc, const char *msg)
{
    struct xml_guard *g = ctxt->_private;

    if (!g->msg) {
        g->rc = rc;
        g->msg = msg;
    }
    xmlStopParser(ctxt);
}

/* A DOCTYPE is refused before its internal subset is read, so no entity is
 * ever declared, let alone expanded. */
static void xml_on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                                   const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    xml_stop(ctx, CM_EINVAL, "DTD not allowed in XML body");
}

static void xml_on_reference(void *ctx, const xmlChar *name)
{
    (void)name;
    xml_stop(ctx, CM_EINVAL, "entity reference not allowed in XML body");
}

/* Enforces the limits while parsing, so the tree never outgrows them. */
static void xml_on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                         const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                         int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct xml_guard *g = ctxt->_private;

    if (++g->depth > CM_BODY_MAX_DEPTH) {
        xml_stop(ctxt, CM_ETOOBIG, MSG_TOO_DEEP);
        return;
    }
    if (g->depth > 1 && ++g->count > CM_BODY_MAX_PARAMS) {
        xml_stop(ctxt, CM_ETOOBIG, MSG_TOO_MANY);
        return;
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
}

static void xml_on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                       const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct xml_guard *g = ctxt->_private;

    g->depth--;
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

static void xml_on_error(void *data, xmlErrorPtr error)
{
    (void)data;
    (void)error;
}

static int xml_is_text(const xmlNode *n)
{
    return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

static int xml_has_element_child(const xmlNode *el)
{
    for (const xmlNode *c = el->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 1;
    return 0;
}

/* Concatenated text of el's text and CDATA children as a JSON string. */
static cm_err xml_text(const xmlNode *el, json_t **out, const char **msg)
{
    size_t len = 0, at = 0;
    char *buf;

    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE) {
            *msg = "entity reference not allowed in XML body";
            return CM_EINVAL;
        }
        if (xml_is_text(c) && c->content)
            len += strlen((const char *)c->content);
    }
    buf = cm_xmalloc(len + 1);
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (xml_is_text(c) && c->content) {
            size_t n = strlen((const char *)c->content);
            memcpy(buf + at, c->content, n);
            at += n;
        }
    }
    if (!cm_utf8_valid((const unsigned char *)buf, len)) {
        free(buf);
        *msg = MSG_UTF8;
        return CM_EINVAL;
    }
    *out = json_stringn(buf, len);
    free(buf);
    if (!*out) {
        *msg = MSG_NOMEM;
        return CM_ENOMEM;
    }
    return CM_OK;
}

static cm_err xml_children(const xmlNode *el, int depth, json_t *obj, size_t *count,
                           const char **msg);

/* Value of element el at depth: its text when it has no element children,
 * else an object of its children. */
static cm_err xml_value(const xmlNode *el, int depth, json_t **out, size_t *count, const char **msg)
{
    json_t *obj;
    cm_err rc;

    if (depth > CM_BODY_MAX_DEPTH) {
        *msg = MSG_TOO_DEEP;
        return CM_ETOOBIG;
    }
    if (!xml_has_element_child(el))
        return xml_text(el, out, msg);
    obj = json_object();
    if (!obj) {
        *msg = MSG_NOMEM;
        return CM_ENOMEM;
    }
    rc = xml_children(el, depth, obj, count, msg);
    if (rc != CM_OK) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return CM_OK;
}

/* Adds each child element of el (at depth) to obj under its local name.
 * Text beside child elements must be blank: mixed content is refused. */
static cm_err xml_children(const xmlNode *el, int depth, json_t *obj, size_t *count,
                           const char **msg)
{
    for (const xmlNode *c = el->children; c; c = c->next) {
        json_t *v = NULL;
        cm_err rc;

        if (c->type == XML_ENTITY_REF_NODE) {
            *msg = "entity reference not allowed in XML body";
            return CM_EINVAL;
        }
        if (xml_is_text(c) && c->content &&
            !blank((const char *)c->content, strlen((const char *)c->content))) {
            *msg = "mixed content in XML body";
            return CM_EINVAL;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue; /* comments, processing instructions, blanks */
        if (++*count > CM_BODY_MAX_PARAMS) {
            *msg = MSG_TOO_MANY;
            return CM_ETOOBIG;
        }
        rc = xml_value(c, depth + 1, &v, count, msg);
        if (rc == CM_OK && (rc = add_param(obj, (const char *)c->name, v)) != CM_OK)
            *msg = MSG_NOMEM;
        if (rc != CM_OK)
            return rc;
    }
    return CM_OK;
}

/* Maps the document: a text-only root → {root: text}; otherwise the root's
 * children → params. */
static cm_err xml_map(const xmlNode *root, json_t **out_params, const char **msg)
{
    json_t *params = json_object();
    json_t *v = NULL;
    size_t count = 0;
    cm_err rc;

    if (!params) {
        *msg = MSG_NOMEM;
        return CM_ENOMEM;
    }
    if (xml_has_element_child(root)) {
        rc = xml_children(root, 1, params, &count, msg);
    } else {
        rc = xml_text(root, &v, msg);
        if (rc == CM_OK && (rc = add_param(params, (const char *)root->name, v)) != CM_OK)
            *msg = MSG_NOMEM;
    }
    if (rc != CM_OK) {
        json_decref(params);
        return rc;
    }
    *out_params = params;
    return CM_OK;
}

#define XML_OPTIONS                                                                                \
    (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |                \
     XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC)

static cm_err parse_xml(const char *body, size_t len, json_t **out_params, const char **msg)
{
    struct xml_guard g = {0, 0, NULL, CM_OK};
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    xmlNodePtr root;
    cm_err rc;

    if (len > INT_MAX) {
        *msg = MSG_TOO_BIG;
        return CM_ETOOBIG;
    }
    /* The body must be UTF-8 whatever it declares (XML_PARSE_IGNORE_ENC);
     * with no NUL either, libxml2 never guesses UTF-16 or UCS-4. */
    if (memchr(body, '\0', len)) {
        *msg = MSG_NUL;
        return CM_EINVAL;
    }
    if (!cm_utf8_valid((const unsigned char *)body, len)) {
        *msg = MSG_UTF8;
        return CM_EINVAL;
    }
    pthread_once(&xml_once, xml_init);
    ctxt = xmlCreateMemoryParserCtxt(body, (int)len);
    if (!ctxt) {
        *msg = MSG_NOMEM;
        return CM_ENOMEM;
    }
    xmlCtxtUseOptions(ctxt, XML_OPTIONS);
    ctxt->_private = &g;
    ctxt->replaceEntities = 0;
    ctxt->loadsubset = 0;
    ctxt->sax->internalSubset = xml_on_internal_subset;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->reference = xml_on_reference;
    ctxt->sax->startElementNs = xml_on_start;
    ctxt->sax->endElementNs = xml_on_end;
    ctxt->sax->serror = xml_on_error;
    ctxt->sax->error = NULL;
    ctxt->sax->warning = NULL;
    ctxt->sax->fatalError = NULL;

    xmlParseDocument(ctxt);
    doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    if (g.msg) {
        *msg = g.msg;
        rc = g.rc;
    } else if (ctxt->errNo == XML_ERR_NO_MEMORY) {
        *msg = MSG_NOMEM;
        rc = CM_ENOMEM;
    } else if (!ctxt->wellFormed || !doc || !(root = xmlDocGetRootElement(doc))) {
        *msg = "malformed XML body";
        rc = CM_EINVAL;
    } else if (doc->intSubset || doc->extSubset) {
        *msg = "DTD not allowed in XML body";
        rc = CM_EINVAL;
    } else {
        rc = xml_map(root, out_params, msg);
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* --- entry points --- */

cm_err cm_body_parse(const char *content_type, const char *body, size_t len, json_t **out_params,
                     char *err, size_t errlen)
{
    enum cm_body_kind kind = cm_body_kind_of(content_type);
    const char *msg = NULL;
    cm_err rc;

    if (kind == CM_BODY_UNSUPPORTED) {
        set_err(err, errlen, "unsupported content type");
        return CM_EINVAL;
    }
    if (kind == CM_BODY_FORM)
        return cm_body_parse_form(body, len, out_params, err, errlen);
    if (!body && len > 0) {
        set_err(err, errlen, "missing body");
        return CM_EINVAL;
    }
    if (blank(body, len)) {
        json_t *empty = json_object();
        if (!empty) {
            set_err(err, errlen, MSG_NOMEM);
            return CM_ENOMEM;
        }
        *out_params = empty;
        return CM_OK;
    }
    if (kind == CM_BODY_JSON)
        rc = parse_json(body, len, out_params, &msg);
    else
        rc = parse_xml(body, len, out_params, &msg);
    if (rc != CM_OK)
        set_err(err, errlen, msg ? msg : "malformed body");
    return rc;
}

const char *cm_body_get_str(const json_t *params, const char *key)
{
    json_t *v;

    if (!params || !key)
        return NULL;
    v = json_object_get(params, key);
    if (json_is_array(v) && json_array_size(v) > 0)
        v = json_array_get(v, json_array_size(v) - 1);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int cm_body_has(const json_t *params, const char *key)
{
    return params && key && json_object_get(params, key) != NULL;
}

size_t cm_body_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}
