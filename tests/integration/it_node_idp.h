/* it_node_idp.h: an identity provider of the sign-in suites (oidc, saml)
 * run as a node process (a script of tests/node) for one test, and the
 * libcurl "browser" those suites drive it with. The provider prints one
 * line "READY ..." once it listens; its stdout stays open until it stops.
 * It is started with PR_SET_PDEATHSIG, so a test that ends on an assertion
 * before it_idp_stop does not leave it running. */
#ifndef IT_NODE_IDP_H
#define IT_NODE_IDP_H

#include <curl/curl.h>
#include <stdio.h>
#include <sys/types.h>

struct it_idp {
    pid_t pid;
    FILE *out; /* its stdout, open until it stops */
};

/* Starts `node script args...` (args NULL-terminated; script relative to
 * the repository root) and reads its first line into line (cap bytes,
 * line end removed); asserts the line begins "READY " (what names the
 * provider in the message). */
void it_idp_start(struct it_idp *p, const char *what, char *line, size_t cap, const char *script,
                  ...) __attribute__((sentinel));

/* Stops the provider (SIGTERM, reaped) and closes its stdout; safe twice
 * and on a zeroed struct. */
void it_idp_stop(struct it_idp *p);

/* One answer of the browser: status, Location (redirects are not
 * followed), body (caller frees; kept across it_browse calls). */
struct it_page {
    long status;
    char location[8192];
    char *body;
    size_t len;
};

/* One request of browser b (its cookies kept when the caller turned the
 * cookie engine on): GET url, or POST form; asserts it got an answer
 * (20 s at most). Frees out's previous body. */
void it_browse(CURL *b, const char *url, const char *form, struct it_page *out);

#endif
