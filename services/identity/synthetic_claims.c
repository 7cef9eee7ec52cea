/* synthetic_claims.c: additional-claims of synthetic user tokens
 * (synthetic_claims.h). */
#include "synthetic_claims.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const reserved[] = {"typ",
                                       "sub",
                                       "sid",
                                       "org",
                                       "imp",
                                       "roles",
                                       "iat",
                                       "exp",
                                       "gen",
                                       "iss",
                                       "aud",
                                       "nbf",
                                       "jti",
                                       "kid",
                                       "alg",
                                       "email",
                                       "username",
                                       "given_name",
                                       "family_name",
                                       "locale",
                                       "synthetic",
                                       "user-id",
                                       "organization-id",
                                       "session-id",
                                       "impersonated-by",
                                       "platform-admin",
                                       NULL};

int synthetic_claim_reserved(const char *name)
{
    for (const char *const *r = reserved; *r; r++)
        if (!strcasecmp(*r, name))
            return 1;
    return 0;
}

/* 1 when name has the shape of a claim name. */
static int name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n < 1 || n > 64 ||
        !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == ':'))
            return 0;
    }
    return 1;
}

/* Sets pointer and detail, returns CM_EINVAL. */
static cm_err fail(char *pointer, size_t pcap, const char *where, char *detail, size_t dcap,
                   const char *why)
{
    snprintf(pointer, pcap, "%s", where);
    snprintf(detail, dcap, "%s", why);
    return CM_EINVAL;
}

cm_err synthetic_claims_read(const json_t *arr, const char *prefix, json_t **out, char *pointer,
                             size_t pcap, char *detail, size_t dcap)
{
    char at[160];
    json_t *claims, *item;
    size_t i;

    if (!arr || json_is_null(arr)) {
        *out = json_object();
        return CM_OK;
    }
    if (!json_is_array(arr))
        return fail(pointer, pcap, prefix, detail, dcap, "an array of {claim, value} is expected");
    if (json_array_size(arr) > SYNTHETIC_MAX_CLAIMS)
        return fail(pointer, pcap, prefix, detail, dcap, "at most 16 additional claims");
    claims = json_object();
    json_array_foreach(arr, i, item)
    {
        const char *name = json_string_value(json_object_get(item, "claim"));
        const json_t *value = json_object_get(item, "value");
        const char *why = NULL, *field = "";
        const char *key;
        json_t *v;
        int member = 0;

        if (json_is_object(item))
            json_object_foreach((json_t *)item, key, v)
            {
                if (strcmp(key, "claim") != 0 && strcmp(key, "value") != 0)
                    member = 1;
            }
        if (!json_is_object(item) || member) {
            why = "each additional claim is {\"claim\": name, \"value\": string}";
        } else if (!name || !name_ok(name)) {
            why = "a claim name is 1..64 letters, digits and _-.: starting with a letter";
            field = "/claim";
        } else if (synthetic_claim_reserved(name)) {
            why = "this claim is reserved: additional claims never change who the token is "
                  "for, its roles or its organization";
            field = "/claim";
        } else if (json_object_get(claims, name)) {
            why = "a claim is given twice";
            field = "/claim";
        } else if (!json_is_string(value) ||
                   json_string_length(value) > SYNTHETIC_CLAIM_VALUE_MAX) {
            why = "a claim value is a string of at most 256 bytes";
            field = "/value";
        }
        if (why) {
            json_decref(claims);
            snprintf(at, sizeof at, "%s/%zu%s", prefix, i, field);
            return fail(pointer, pcap, at, detail, dcap, why);
        }
        json_object_set(claims, name, (json_t *)value);
    }
    *out = claims;
    return CM_OK;
}
