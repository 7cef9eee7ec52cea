/* test_cm_body.c: behaviour of the body parsers (form, JSON and XML into one
 * JSON object of parameters) and their refusals of bad or oversized input. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_body.h"

#define FORM "application/x-www-form-urlencoded"
#define JSON "application/json"
#define XML "application/xml"

/* Parses body of type ct, asserting success; caller json_decref. */
static json_t *parse_ok(const char *ct, const char *body)
{
    json_t *params = NULL;
    char err[128] = "";
    cm_err rc = cm_body_parse(ct, body, body ? strlen(body) : 0, &params, err, sizeof err);

    cr_assert(eq(int, rc, CM_OK), "parse failed: %s", err);
    cr_assert(not(eq(ptr, params, NULL)));
    cr_assert(eq(int, json_is_object(params), 1));
    return params;
}

/* Asserts that params, dumped with sorted keys, equals want. */
static void assert_params(json_t *params, const char *want)
{
    char *got = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);

    cr_assert(not(eq(ptr, got, NULL)));
    cr_assert(eq(str, got, (char *)want));
    free(got);
}

static void assert_parses_to(const char *ct, const char *body, const char *want)
{
    json_t *params = parse_ok(ct, body);

    assert_params(params, want);
    json_decref(params);
}

TestSuite(cm_body, .timeout = 10);

/* --- content types --- */

struct kind_case {
    const char *content_type;
    enum cm_body_kind want;
};

/* Parameters are indices into these tables: Criterion runs each case in a
 * fresh process, where pointers from the parent's tables are not valid. */
static const struct kind_case kind_cases[] = {
    {NULL, CM_BODY_FORM},
    {"", CM_BODY_FORM},
    {"  ", CM_BODY_FORM},
    {"application/x-www-form-urlencoded", CM_BODY_FORM},
    {"Application/X-WWW-Form-Urlencoded; charset=UTF-8", CM_BODY_FORM},
    {"application/json", CM_BODY_JSON},
    {"application/json;charset=utf-8", CM_BODY_JSON},
    {" APPLICATION/JSON ; charset=utf-8", CM_BODY_JSON},
    {"application/vnd.api+json", CM_BODY_JSON},
    {"application/merge-patch+json; charset=utf-8", CM_BODY_JSON},
    {"text/xml", CM_BODY_XML},
    {"application/xml; charset=utf-8", CM_BODY_XML},
    {"Text/XML", CM_BODY_XML},
    {"text/plain", CM_BODY_UNSUPPORTED},
    {"multipart/form-data; boundary=x", CM_BODY_UNSUPPORTED},
    {"application/jsonx", CM_BODY_UNSUPPORTED},
    {"application/+json", CM_BODY_UNSUPPORTED},
    {"application/ json", CM_BODY_UNSUPPORTED},
    {"application/x y+json", CM_BODY_UNSUPPORTED},
    {"text/+json", CM_BODY_UNSUPPORTED},
    {"application/xml+json/x", CM_BODY_UNSUPPORTED},
    {"; charset=utf-8", CM_BODY_UNSUPPORTED},
    {"json", CM_BODY_UNSUPPORTED},
};
#define NKIND (sizeof kind_cases / sizeof kind_cases[0])

ParameterizedTestParameters(cm_body, kind_of_names_the_parser)
{
    static size_t idx[NKIND];

    for (size_t i = 0; i < NKIND; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, NKIND);
}

ParameterizedTest(size_t *i, cm_body, kind_of_names_the_parser)
{
    const struct kind_case *c = &kind_cases[*i];

    cr_assert(eq(int, cm_body_kind_of(c->content_type), c->want), "content type \"%s\"",
              c->content_type ? c->content_type : "(null)");
}

/* --- form --- */

Test(cm_body, form_seed_message_and_error)
{
    json_t *params = parse_ok(FORM, "message=hello&error=1");

    assert_params(params, "{\"error\":\"1\",\"message\":\"hello\"}");
    cr_assert(eq(str, (char *)cm_body_get_str(params, "message"), "hello"));
    cr_assert(eq(str, (char *)cm_body_get_str(params, "error"), "1"));
    json_decref(params);
}

Test(cm_body, form_is_the_default_without_content_type)
{
    assert_parses_to(NULL, "message=hello", "{\"message\":\"hello\"}");
    assert_parses_to("", "message=hello", "{\"message\":\"hello\"}");
}

Test(cm_body, form_repeated_key_becomes_array_in_order)
{
    json_t *params = parse_ok(FORM, "to=a&subject=x&to=b&to=c");

    assert_params(params, "{\"subject\":\"x\",\"to\":[\"a\",\"b\",\"c\"]}");
    cr_assert(eq(str, (char *)cm_body_get_str(params, "to"), "c"));
    json_decref(params);
}

Test(cm_body, form_decodes_plus_and_percent)
{
    assert_parses_to(FORM, "msg=hello+world%21&k%20e+y=%E2%9c%93&plus=a%2Bb&pct=100%25",
                     "{\"k e y\":\"\xe2\x9c\x93\",\"msg\":\"hello world!\",\"pct\":\"100%\","
                     "\"plus\":\"a+b\"}");
}

Test(cm_body, form_keeps_keys_without_value_and_skips_empty_pairs)
{
    assert_parses_to(FORM, "a&b=&&c=1=2&", "{\"a\":\"\",\"b\":\"\",\"c\":\"1=2\"}");
}

Test(cm_body, form_empty_body_is_empty_object)
{
    json_t *params = NULL;

    assert_parses_to(FORM, "", "{}");
    cr_assert(eq(int, cm_body_parse(FORM, NULL, 0, &params, NULL, 0), CM_OK));
    assert_params(params, "{}");
    json_decref(params);
}

Test(cm_body, form_accepts_exactly_max_params)
{
    size_t cap = CM_BODY_MAX_PARAMS * 8;
    char *body = malloc(cap);
    size_t at = 0;
    json_t *params = NULL;

    for (int i = 0; i < CM_BODY_MAX_PARAMS; i++)
        at += (size_t)snprintf(body + at, cap - at, "%sk%d=v", i ? "&" : "", i);
    cr_assert(eq(int, cm_body_parse(FORM, body, at, &params, NULL, 0), CM_OK));
    cr_assert(eq(sz, json_object_size(params), CM_BODY_MAX_PARAMS));
    json_decref(params);
    free(body);
}

Test(cm_body, parse_form_reads_query_strings)
{
    json_t *params = NULL;
    const char *q = "page%5Blimit%5D=10&filter=a+b&filter=c";
    char err[64];

    cr_assert(eq(int, cm_body_parse_form(q, strlen(q), &params, err, sizeof err), CM_OK));
    assert_params(params, "{\"filter\":[\"a b\",\"c\"],\"page[limit]\":\"10\"}");
    json_decref(params);
}

Test(cm_body, parse_form_reads_only_len_bytes)
{
    json_t *params = NULL;

    cr_assert(eq(int, cm_body_parse_form("a=1&b=2", 3, &params, NULL, 0), CM_OK));
    assert_params(params, "{\"a\":\"1\"}");
    json_decref(params);
}

/* --- JSON --- */

Test(cm_body, json_seed_message)
{
    json_t *params = parse_ok(JSON, "{\"message\": \"hello\"}");

    assert_params(params, "{\"message\":\"hello\"}");
    cr_assert(eq(str, (char *)cm_body_get_str(params, "message"), "hello"));
    json_decref(params);
}

Test(cm_body, json_object_returned_as_parsed)
{
    json_t *params =
        parse_ok("application/vnd.api+json; charset=utf-8",
                 "{\"n\": 3, \"ok\": true, \"to\": [\"a\", \"b\"], \"o\": {\"k\": null}}");

    assert_params(params, "{\"n\":3,\"o\":{\"k\":null},\"ok\":true,\"to\":[\"a\",\"b\"]}");
    cr_assert(eq(ptr, (void *)cm_body_get_str(params, "n"), NULL), "numbers are not strings");
    cr_assert(eq(ptr, (void *)cm_body_get_str(params, "o"), NULL));
    cr_assert(eq(str, (char *)cm_body_get_str(params, "to"), "b"));
    cr_assert(cm_body_has(params, "o"));
    cr_assert(not(cm_body_has(params, "missing")));
    json_decref(params);
}

Test(cm_body, json_empty_or_blank_body_is_empty_object)
{
    assert_parses_to(JSON, "", "{}");
    assert_parses_to(JSON, " \r\n\t", "{}");
}

Test(cm_body, json_accepts_depth_and_count_at_the_limit)
{
    char body[8 * CM_BODY_MAX_DEPTH];
    size_t at = 0;
    json_t *params = NULL;

    for (int i = 0; i < CM_BODY_MAX_DEPTH - 1; i++)
        at += (size_t)sprintf(body + at, "{\"a\":");
    at += (size_t)sprintf(body + at, "{}");
    for (int i = 0; i < CM_BODY_MAX_DEPTH - 1; i++)
        body[at++] = '}';
    cr_assert(eq(int, cm_body_parse(JSON, body, at, &params, NULL, 0), CM_OK));
    json_decref(params);
}

/* --- XML --- */

Test(cm_body, xml_seed_text_only_root)
{
    json_t *params = parse_ok(XML, "<message>hello</message>");

    assert_params(params, "{\"message\":\"hello\"}");
    cr_assert(eq(str, (char *)cm_body_get_str(params, "message"), "hello"));
    json_decref(params);
}

Test(cm_body, xml_seed_children_of_root)
{
    assert_parses_to(XML, "<request><message>hello</message><error>1</error></request>",
                     "{\"error\":\"1\",\"message\":\"hello\"}");
}

Test(cm_body, xml_pretty_printed_with_declaration)
{
    assert_parses_to("text/xml; charset=utf-8",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<request>\n"
                     "  <!-- a comment -->\n  <message>hello</message>\n</request>\n",
                     "{\"message\":\"hello\"}");
}

Test(cm_body, xml_repeated_children_become_array)
{
    assert_parses_to(XML, "<r><to>a</to><s>x</s><to>b</to><to>c</to></r>",
                     "{\"s\":\"x\",\"to\":[\"a\",\"b\",\"c\"]}");
}

Test(cm_body, xml_decodes_entities_and_cdata)
{
    assert_parses_to(XML,
                     "<r><a>x &amp; y &lt;z&gt; &#233;&#x2713;</a>"
                     "<b><![CDATA[<not> & markup]]></b><c> keep spaces </c></r>",
                     "{\"a\":\"x & y <z> \xc3\xa9\xe2\x9c\x93\",\"b\":\"<not> & markup\","
                     "\"c\":\" keep spaces \"}");
}

Test(cm_body, xml_empty_elements_are_empty_strings)
{
    assert_parses_to(XML, "<r><a/><b></b></r>", "{\"a\":\"\",\"b\":\"\"}");
    assert_parses_to(XML, "<message/>", "{\"message\":\"\"}");
}

Test(cm_body, xml_ignores_attributes_and_namespace_prefixes)
{
    assert_parses_to(XML,
                     "<m:r xmlns:m=\"urn:x\" v=\"1\"><m:message lang=\"en\">hi</m:message></m:r>",
                     "{\"message\":\"hi\"}");
}

Test(cm_body, xml_nested_elements_become_objects)
{
    assert_parses_to(XML, "<r><user><name>a</name><tag>x</tag><tag>y</tag></user></r>",
                     "{\"user\":{\"name\":\"a\",\"tag\":[\"x\",\"y\"]}}");
}

Test(cm_body, xml_declared_encoding_is_ignored_for_utf8_input)
{
    assert_parses_to(XML, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xc3\xa9</a>",
                     "{\"a\":\"caf\xc3\xa9\"}");
}

Test(cm_body, xml_empty_body_is_empty_object)
{
    assert_parses_to(XML, "", "{}");
    assert_parses_to(XML, "\n", "{}");
}

Test(cm_body, xml_errors_print_nothing, .init = cr_redirect_stderr)
{
    json_t *params = NULL;
    const char *bad = "<a><b></a>&undefined;<!DOCTYPE x>";

    cr_assert(eq(int, cm_body_parse(XML, bad, strlen(bad), &params, NULL, 0), CM_EINVAL));
    fflush(stderr);
    cr_assert_stderr_eq_str("");
}

static void *parse_xml_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        const char *b = "<request><message>hello</message><error>1</error></request>";
        json_t *params = NULL;
        if (cm_body_parse(XML, b, strlen(b), &params, NULL, 0) != CM_OK)
            return (void *)1;
        if (!cm_body_get_str(params, "message"))
            return (void *)1;
        json_decref(params);
    }
    return NULL;
}

Test(cm_body, xml_parses_from_several_threads)
{
    pthread_t t[4];
    void *res;

    for (int i = 0; i < 4; i++)
        cr_assert(eq(int, pthread_create(&t[i], NULL, parse_xml_many, NULL), 0));
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &res);
        cr_assert(eq(ptr, res, NULL));
    }
}

/* --- accessors --- */

Test(cm_body, get_str_and_has_on_edge_cases)
{
    json_t *params = parse_ok(JSON, "{\"e\": [], \"mix\": [\"a\", 1], \"s\": \"v\"}");

    cr_assert(eq(ptr, (void *)cm_body_get_str(params, "e"), NULL));
    cr_assert(eq(ptr, (void *)cm_body_get_str(params, "mix"), NULL));
    cr_assert(eq(ptr, (void *)cm_body_get_str(params, "nope"), NULL));
    cr_assert(eq(ptr, (void *)cm_body_get_str(NULL, "s"), NULL));
    cr_assert(eq(ptr, (void *)cm_body_get_str(params, NULL), NULL));
    cr_assert(eq(str, (char *)cm_body_get_str(params, "s"), "v"));
    cr_assert(cm_body_has(params, "e"));
    cr_assert(not(cm_body_has(NULL, "e")));
    cr_assert(not(cm_body_has(params, NULL)));
    json_decref(params);
}

Test(cm_body, error_message_is_truncated_to_errlen)
{
    json_t *params = NULL;
    char err[6] = "xxxxx";

    cr_assert(eq(int, cm_body_parse(JSON, "[", 1, &params, err, sizeof err), CM_EINVAL));
    cr_assert(eq(sz, strlen(err), 5));
    cr_assert(eq(int, cm_body_parse(JSON, "[", 1, &params, err, 0), CM_EINVAL));
    cr_assert(eq(int, cm_body_parse(JSON, "[", 1, &params, NULL, 0), CM_EINVAL));
    cr_assert(eq(ptr, params, NULL));
}

/* --- refusals --- */

enum gen {
    GEN_NONE,
    GEN_FORM_MANY,        /* CM_BODY_MAX_PARAMS + 1 pairs */
    GEN_FORM_MANY_SAME,   /* as many pairs, all the same key */
    GEN_JSON_DEEP,        /* CM_BODY_MAX_DEPTH + 1 nested objects */
    GEN_JSON_DEEPER,      /* deeper than jansson's own parser limit */
    GEN_JSON_MANY,        /* CM_BODY_MAX_PARAMS + 1 members */
    GEN_JSON_MANY_NESTED, /* as many array elements, one level down */
    GEN_XML_DEEP,         /* CM_BODY_MAX_DEPTH + 1 nested elements */
    GEN_XML_DEEPER,       /* deeper than libxml2's own limit */
    GEN_XML_MANY,         /* CM_BODY_MAX_PARAMS + 1 children */
};

struct bad_case {
    const char *name;
    const char *content_type;
    const char *body; /* NULL for generated bodies */
    size_t len;       /* 0: strlen(body) */
    enum gen gen;
    cm_err want;
};

/* Builds the body of a generated case; caller frees. */
static char *generate(enum gen gen, size_t *out_len)
{
    size_t cap = 64 * 1024, at = 0;
    char *b = malloc(cap);
    int n;

    switch (gen) {
    case GEN_FORM_MANY:
    case GEN_FORM_MANY_SAME:
        for (int i = 0; i <= CM_BODY_MAX_PARAMS; i++)
            at += (size_t)snprintf(b + at, cap - at, "%sk%d=v", i ? "&" : "",
                                   gen == GEN_FORM_MANY ? i : 0);
        break;
    case GEN_JSON_DEEP:
    case GEN_JSON_DEEPER:
        n = gen == GEN_JSON_DEEP ? CM_BODY_MAX_DEPTH + 1 : 5000;
        at += (size_t)sprintf(b, "{\"a\":"); /* depth 1, then n - 1 arrays */
        for (int i = 1; i < n; i++)
            b[at++] = '[';
        for (int i = 1; i < n; i++)
            b[at++] = ']';
        b[at++] = '}';
        break;
    case GEN_JSON_MANY:
        b[at++] = '{';
        for (int i = 0; i <= CM_BODY_MAX_PARAMS; i++)
            at += (size_t)snprintf(b + at, cap - at, "%s\"k%d\":1", i ? "," : "", i);
        b[at++] = '}';
        break;
    case GEN_JSON_MANY_NESTED:
        at += (size_t)sprintf(b, "{\"a\":[");
        for (int i = 0; i < CM_BODY_MAX_PARAMS; i++)
            at += (size_t)snprintf(b + at, cap - at, "%s%d", i ? "," : "", i);
        at += (size_t)sprintf(b + at, "]}");
        break;
    case GEN_XML_DEEP:
    case GEN_XML_DEEPER:
        n = gen == GEN_XML_DEEP ? CM_BODY_MAX_DEPTH + 1 : 1000;
        for (int i = 0; i < n; i++)
            at += (size_t)snprintf(b + at, cap - at, "<e>");
        at += (size_t)snprintf(b + at, cap - at, "x");
        for (int i = 0; i < n; i++)
            at += (size_t)snprintf(b + at, cap - at, "</e>");
        break;
    case GEN_XML_MANY:
        at += (size_t)snprintf(b + at, cap - at, "<r>");
        for (int i = 0; i <= CM_BODY_MAX_PARAMS; i++)
            at += (size_t)snprintf(b + at, cap - at, "<k>v</k>");
        at += (size_t)snprintf(b + at, cap - at, "</r>");
        break;
    case GEN_NONE:
        break;
    }
    cr_assert(at < cap);
    *out_len = at;
    return b;
}

static const struct bad_case bad_cases[] = {
    {"json malformed", JSON, "{\"a\":", 0, GEN_NONE, CM_EINVAL},
    {"json trailing garbage", JSON, "{} x", 0, GEN_NONE, CM_EINVAL},
    {"json array top level", JSON, "[1, 2]", 0, GEN_NONE, CM_EINVAL},
    {"json string top level", JSON, "\"hello\"", 0, GEN_NONE, CM_EINVAL},
    {"json null top level", JSON, "null", 0, GEN_NONE, CM_EINVAL},
    {"json duplicate key", JSON, "{\"a\":1,\"a\":2}", 0, GEN_NONE, CM_EINVAL},
    {"json invalid utf-8 value", JSON, "{\"a\":\"\xff\"}", 0, GEN_NONE, CM_EINVAL},
    {"json invalid utf-8 key", JSON, "{\"\xc3\x28\":1}", 0, GEN_NONE, CM_EINVAL},
    {"json escaped NUL", JSON, "{\"a\":\"x\\u0000y\"}", 0, GEN_NONE, CM_EINVAL},
    {"json raw NUL", JSON, "{\"a\":\"x\0\"}", 10, GEN_NONE, CM_EINVAL},
    {"json lone surrogate", JSON, "{\"a\":\"\\ud800\"}", 0, GEN_NONE, CM_EINVAL},
    {"json too deep", JSON, NULL, 0, GEN_JSON_DEEP, CM_ETOOBIG},
    {"json deeper than jansson", JSON, NULL, 0, GEN_JSON_DEEPER, CM_ETOOBIG},
    {"json too many members", JSON, NULL, 0, GEN_JSON_MANY, CM_ETOOBIG},
    {"json too many nested", JSON, NULL, 0, GEN_JSON_MANY_NESTED, CM_ETOOBIG},
    {"form bad escape letters", FORM, "a=%zz", 0, GEN_NONE, CM_EINVAL},
    {"form bad escape one digit", FORM, "a=%4", 0, GEN_NONE, CM_EINVAL},
    {"form bad escape at end", FORM, "a=%", 0, GEN_NONE, CM_EINVAL},
    {"form bad escape in key", FORM, "%g1=1", 0, GEN_NONE, CM_EINVAL},
    {"form bad escape across pairs", FORM, "a=%4&b=1", 0, GEN_NONE, CM_EINVAL},
    {"form invalid utf-8 escaped", FORM, "a=%ff", 0, GEN_NONE, CM_EINVAL},
    {"form invalid utf-8 raw", FORM, "a=\xc3\x28", 0, GEN_NONE, CM_EINVAL},
    {"form overlong utf-8", FORM, "a=%c0%af", 0, GEN_NONE, CM_EINVAL},
    {"form surrogate utf-8", FORM, "a=%ed%a0%80", 0, GEN_NONE, CM_EINVAL},
    {"form truncated utf-8", FORM, "a=%e2%9c", 0, GEN_NONE, CM_EINVAL},
    {"form invalid utf-8 key", FORM, "%fe=1", 0, GEN_NONE, CM_EINVAL},
    {"form NUL in key", FORM, "a%00b=1", 0, GEN_NONE, CM_EINVAL},
    {"form raw NUL in key", FORM, "a\0b=1", 5, GEN_NONE, CM_EINVAL},
    {"form NUL in value", FORM, "a=%00", 0, GEN_NONE, CM_EINVAL},
    {"form too many params", FORM, NULL, 0, GEN_FORM_MANY, CM_ETOOBIG},
    {"form too many values of one key", FORM, NULL, 0, GEN_FORM_MANY_SAME, CM_ETOOBIG},
    {"xml doctype with entities", XML,
     "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
     "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><r>&b;</r>",
     0, GEN_NONE, CM_EINVAL},
    {"xml external entity", XML,
     "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>", 0, GEN_NONE, CM_EINVAL},
    {"xml external dtd", XML, "<!DOCTYPE r SYSTEM \"http://example.com/r.dtd\"><r>x</r>", 0,
     GEN_NONE, CM_EINVAL},
    {"xml doctype without subset", XML, "<!DOCTYPE r><r>x</r>", 0, GEN_NONE, CM_EINVAL},
    {"xml undefined entity", XML, "<r>&xxe;</r>", 0, GEN_NONE, CM_EINVAL},
    {"xml mismatched tags", XML, "<a><b></a>", 0, GEN_NONE, CM_EINVAL},
    {"xml unclosed", XML, "<request><message>hello</message>", 0, GEN_NONE, CM_EINVAL},
    {"xml not xml", XML, "message=hello", 0, GEN_NONE, CM_EINVAL},
    {"xml two roots", XML, "<a>1</a><b>2</b>", 0, GEN_NONE, CM_EINVAL},
    {"xml mixed content", XML, "<r>text<a>1</a></r>", 0, GEN_NONE, CM_EINVAL},
    {"xml invalid utf-8", XML, "<a>\xff</a>", 0, GEN_NONE, CM_EINVAL},
    {"xml latin-1 bytes", XML, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>", 0,
     GEN_NONE, CM_EINVAL},
    {"xml NUL byte", XML, "<a>\0</a>", 8, GEN_NONE, CM_EINVAL},
    {"xml control character", XML, "<a>\x01</a>", 0, GEN_NONE, CM_EINVAL},
    {"xml too deep", XML, NULL, 0, GEN_XML_DEEP, CM_ETOOBIG},
    {"xml deeper than libxml2", XML, NULL, 0, GEN_XML_DEEPER, CM_ETOOBIG},
    {"xml too many children", XML, NULL, 0, GEN_XML_MANY, CM_ETOOBIG},
    {"unsupported text/plain", "text/plain", "message=hello", 0, GEN_NONE, CM_EINVAL},
    {"unsupported multipart", "multipart/form-data; boundary=x", "--x--", 0, GEN_NONE, CM_EINVAL},
    {"unsupported garbage type", "\x01\xff", "a=1", 0, GEN_NONE, CM_EINVAL},
};
#define NBAD (sizeof bad_cases / sizeof bad_cases[0])

ParameterizedTestParameters(cm_body, refuses_bad_input)
{
    static size_t idx[NBAD];

    for (size_t i = 0; i < NBAD; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, NBAD);
}

ParameterizedTest(size_t *i, cm_body, refuses_bad_input)
{
    const struct bad_case *c = &bad_cases[*i];
    json_t *sentinel = (json_t *)0x1;
    json_t *params = sentinel;
    char err[128] = "";
    size_t len = c->len;
    char *body = c->body ? NULL : generate(c->gen, &len);
    const char *b = c->body ? c->body : body;
    cm_err rc;

    if (c->body && len == 0)
        len = strlen(c->body);
    rc = cm_body_parse(c->content_type, b, len, &params, err, sizeof err);
    cr_assert(eq(int, rc, c->want), "%s: got %d (%s)", c->name, rc, err);
    cr_assert(eq(ptr, params, sentinel), "%s: out_params written on error", c->name);
    cr_assert(ge(sz, strlen(err), 1), "%s: no message", c->name); /* gt() is >= in Criterion 2.4.1 C */
    cr_assert(lt(sz, strlen(err), 64), "%s: long message", c->name);
    cr_assert(eq(ptr, strstr(err, "hello"), NULL), "%s: input echoed", c->name);
    free(body);
}
