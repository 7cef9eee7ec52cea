/* test_onboarding_enrollment_schema.c: the JSON Schema subset that checks
 * sign-up's enrollment-data (enrollment_schema.h): one case per keyword,
 * valid and invalid, with the pointer of the failure. */
// links: services/onboarding/enrollment_schema.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <string.h>

#include "../../services/onboarding/enrollment_schema.h"

struct schema_case {
    const char *schema, *data;
    int ok;
    const char *where; /* the failure's pointer when !ok */
};

static const struct schema_case cases[] = {
    {"{}", "{\"a\": 1}", 1, ""},
    {"true", "[1]", 1, ""},
    {"false", "1", 0, ""},
    {"{\"version\": \"1\"}", "{}", 1, ""}, /* unknown keywords are ignored */
    {"{\"type\": \"object\", \"required\": [\"zip\"]}", "{}", 0, "/zip"},
    {"{\"required\": [\"zip\"]}", "{\"zip\": \"02139\"}", 1, ""},
    {"{\"properties\": {\"zip\": {\"type\": \"string\", \"pattern\": \"^[0-9]{5}$\"}}}",
     "{\"zip\": \"0213\"}", 0, "/zip"},
    {"{\"properties\": {\"zip\": {\"type\": \"string\", \"pattern\": \"^[0-9]{5}$\"}}}",
     "{\"zip\": \"02139\"}", 1, ""},
    {"{\"properties\": {\"age\": {\"type\": \"integer\", \"minimum\": 18}}}", "{\"age\": 17}", 0,
     "/age"},
    {"{\"properties\": {\"age\": {\"type\": \"integer\", \"maximum\": 120}}}", "{\"age\": 30}", 1,
     ""},
    {"{\"properties\": {\"age\": {\"type\": \"integer\"}}}", "{\"age\": \"30\"}", 0, "/age"},
    {"{\"properties\": {\"n\": {\"type\": \"integer\"}}}", "{\"n\": 2.0}", 1, ""},
    {"{\"properties\": {\"n\": {\"exclusiveMaximum\": 2}}}", "{\"n\": 2}", 0, "/n"},
    {"{\"properties\": {\"n\": {\"multipleOf\": 0.5}}}", "{\"n\": 1.5}", 1, ""},
    {"{\"additionalProperties\": false, \"properties\": {\"a\": {}}}", "{\"a\": 1, \"b~/\": 2}", 0,
     "/b~0~1"},
    {"{\"additionalProperties\": {\"type\": \"string\"}}", "{\"a\": \"x\"}", 1, ""},
    {"{\"properties\": {\"c\": {\"enum\": [\"red\", \"blue\"]}}}", "{\"c\": \"green\"}", 0, "/c"},
    {"{\"const\": 3}", "3.0", 1, ""},
    {"{\"properties\": {\"s\": {\"minLength\": 2, \"maxLength\": 3}}}",
     "{\"s\": \"\xc3\xa9\xc3\xa9\"}", 1, ""},
    {"{\"properties\": {\"s\": {\"maxLength\": 1}}}", "{\"s\": \"ab\"}", 0, "/s"},
    {"{\"properties\": {\"l\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, "
     "\"maxItems\": 2}}}",
     "{\"l\": [\"a\", 1]}", 0, "/l/1"},
    {"{\"properties\": {\"l\": {\"minItems\": 1}}}", "{\"l\": []}", 0, "/l"},
    {"{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"}]}", "null", 1, ""},
    {"{\"oneOf\": [{\"type\": \"number\"}, {\"type\": \"integer\"}]}", "1", 0, ""},
    {"{\"allOf\": [{\"required\": [\"a\"]}, {\"required\": [\"b\"]}]}", "{\"a\": 1}", 0, "/b"},
    {"{\"not\": {\"type\": \"string\"}}", "\"x\"", 0, ""},
    {"{\"type\": [\"string\", \"null\"]}", "null", 1, ""},
};

ParameterizedTestParameters(enrollment_schema, cases)
{
    static size_t idx[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(size_t *i, enrollment_schema, cases)
{
    const struct schema_case *c = &cases[*i];
    json_t *s = json_loads(c->schema, JSON_DECODE_ANY, NULL);
    json_t *d = json_loads(c->data, JSON_DECODE_ANY, NULL);
    char where[128], why[128];
    int ok;

    cr_assert(s != NULL && d != NULL, "case %zu does not parse", *i);
    ok = enrollment_schema_valid(s, d, where, sizeof where, why, sizeof why);
    cr_assert(eq(int, ok, c->ok), "case %zu: %s %s", *i, where, why);
    if (!c->ok)
        cr_assert(eq(str, where, (char *)c->where), "case %zu: %s", *i, why);
    json_decref(s);
    json_decref(d);
}
