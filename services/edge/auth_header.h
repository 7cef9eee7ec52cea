/* auth_header.h: credentials a request presents, read from its headers.
 * Pure parsing, no I/O; fuzzed by tests/fuzz/fuzz_request.c. */
#ifndef EDGE_AUTH_HEADER_H
#define EDGE_AUTH_HEADER_H

#define EDGE_CRED_USER_MAX 128
#define EDGE_CRED_SECRET_MAX 512  /* API keys (Basic and x-api-key) */
#define EDGE_CRED_TOKEN_MAX 4096  /* bearer tokens: CM_TOKEN_MAX_LEN */

enum edge_cred_kind {
    EDGE_CRED_NONE,    /* no credentials: anonymous */
    EDGE_CRED_BASIC,   /* Authorization: Basic base64(user:key) */
    EDGE_CRED_API_KEY, /* x-api-key: key */
    EDGE_CRED_BEARER,  /* Authorization: Bearer token */
    EDGE_CRED_INVALID, /* present but malformed, or over the size limits */
};

struct edge_cred {
    enum edge_cred_kind kind;
    char user[EDGE_CRED_USER_MAX + 1];     /* BASIC only */
    char secret[EDGE_CRED_TOKEN_MAX + 1]; /* key (<= EDGE_CRED_SECRET_MAX) or token */
};

/* Reads the credentials of a request from its Authorization and x-api-key
 * header values (either may be NULL). Authorization wins when both are
 * present. Returns out->kind; out is always written. */
enum edge_cred_kind edge_cred_parse(const char *authorization, const char *x_api_key,
                                    struct edge_cred *out);

#endif
