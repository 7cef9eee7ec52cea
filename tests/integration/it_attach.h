/* it_attach.h: fixtures of the attachment and export suites: an
 * organization with an API client of its own (Basic credentials), and
 * multipart bodies. */
#ifndef IT_ATTACH_H
#define IT_ATTACH_H

#include <stddef.h>

#include "harness.h"

struct ia_client {
    char org[48];
    char user[96];
    char key[96];
    char auth[400]; /* "Authorization: Basic ..." */
};

/* A new organization (through the platform admin) and an API client of it
 * with role admin. */
void ia_client_new(struct ia_client *c);

/* As ia_client_new, made by the platform admin, in an organization with no
 * member (an API client is no member); roles a JSON array text. */
void ia_client_bare(struct ia_client *c, const char *roles);

/* method path with c's credentials (NULL: the bootstrap client, which has no
 * organization), body of ctype (may be NULL), len bytes. */
void ia_call(struct it_resp *r, const struct ia_client *c, const char *method, const char *path,
             const char *ctype, const void *body, size_t len);

/* A multipart/form-data body (boundary IA_BOUNDARY) with one file part of
 * field name and filename holding data[0..n); caller frees; *len set. The
 * buffer is NUL-terminated after its *len bytes (a text file part can be
 * passed as a string). */
/* A client that leaves mid-transfer, on raw connections to the edge: a
 * download of download_path read for at most 64 KiB, then dropped; an
 * upload to the attachment route announcing body bytes that stops after
 * part bytes of data. Asserts the edge answered the download's start. */
void ia_leave_mid_transfer(const struct ia_client *c, const char *download_path,
                           const void *data, int body, size_t part);

#define IA_BOUNDARY "it-boundary-7d1c"
char *ia_multipart(const char *field, const char *filename, const void *data, size_t n,
                   size_t *len);

/* SHA-256 of data[0..n) as 64 hex digits into hex[65]. */
void ia_sha256(const void *data, size_t n, char hex[65]);

/* Peak resident memory (VmHWM, KiB) of the stack's process name. */
long ia_peak_rss_kib(const char *name);

#endif
