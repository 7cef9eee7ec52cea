/* auth_header.c: parsing of Basic, Bearer and x-api-key credentials. */
#include "auth_header.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

/* Copies s into dst (cap bytes incl. NUL) when it fits and has no control
 * characters; returns 0 on success. */
static int copy_token(char *dst, size_t cap, const char *s, size_t n)
{
    if (n == 0 || n >= cap)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

static enum edge_cred_kind parse_basic(const char *b64, struct edge_cred *out)
{
    char decoded[EDGE_CRED_USER_MAX + EDGE_CRED_SECRET_MAX + 2];
    size_t n, b64len = strlen(b64);
    const char *colon;

    if (b64len == 0 || b64len > 4 * (sizeof decoded / 3) ||
        sodium_base642bin((unsigned char *)decoded, sizeof decoded - 1, b64, b64len, NULL, &n,
                          NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return EDGE_CRED_INVALID;
    colon = memchr(decoded, ':', n);
    if (!colon || copy_token(out->user, sizeof out->user, decoded, (size_t)(colon - decoded)) ||
        copy_token(out->secret, EDGE_CRED_SECRET_MAX + 1, colon + 1,
                   n - (size_t)(colon - decoded) - 1))
        return EDGE_CRED_INVALID;
    return EDGE_CRED_BASIC;
}

enum edge_cred_kind edge_cred_parse(const char *authorization, const char *x_api_key,
                                    struct edge_cred *out)
{
    memset(out, 0, sizeof *out);
    out->kind = EDGE_CRED_NONE;
    if (authorization) {
        while (*authorization == ' ')
            authorization++;
        if (!strncasecmp(authorization, "Basic ", 6)) {
            const char *p = authorization + 6;
            while (*p == ' ')
                p++;
            out->kind = parse_basic(p, out);
        } else if (!strncasecmp(authorization, "Bearer ", 7)) {
            const char *p = authorization + 7;
            while (*p == ' ')
                p++;
            out->kind = copy_token(out->secret, sizeof out->secret, p, strlen(p))
                            ? EDGE_CRED_INVALID
                            : EDGE_CRED_BEARER;
        } else {
            out->kind = EDGE_CRED_INVALID;
        }
    } else if (x_api_key) {
        out->kind = copy_token(out->secret, EDGE_CRED_SECRET_MAX + 1, x_api_key, strlen(x_api_key))
                        ? EDGE_CRED_INVALID
                        : EDGE_CRED_API_KEY;
    }
    if (out->kind == EDGE_CRED_INVALID)
        memset(out->secret, 0, sizeof out->secret);
    return out->kind;
}
