/* harness.h: what the integration suites share: HTTP requests to the edge
 * (libcurl), JSON bodies (jansson), control of the private test stack
 * (scripts/stack.sh through TEST_STACK), Prometheus metrics from the admin
 * ports, Postgres on TEST_PG_URL, and bounded waiting.
 *
 * The stack is started by scripts/with-test-stack.sh, which exports
 * TEST_EDGE_URL, TEST_NATS_URL, TEST_PG_URL, TEST_VAR_DIR, TEST_STACK,
 * TEST_API_USER and TEST_API_KEY. Without TEST_EDGE_URL every test skips, so
 * the binary can run bare. Criterion forks each test into its own process:
 * nothing here keeps state between calls. */
#ifndef IT_HARNESS_H
#define IT_HARNESS_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

/* Skips the current test unless the test stack is there. */
#define IT_REQUIRE_STACK()                                                                         \
    do {                                                                                           \
        if (!it_have_stack())                                                                      \
            cr_skip_test("no test stack (TEST_EDGE_URL unset): run under "                         \
                         "scripts/with-test-stack.sh");                                            \
    } while (0)

/* The seed's API date for util/test, and its path for id "1". */
#define IT_UTIL_TEST "/api/2015-02-01/util/test/1"
#define IT_PRIVACY_PATH "/configure/groups/1/privacy"

/* Identity, for cr_assert on macros that expand to a parenthesised
 * expression (json_is_string, WIFEXITED), which Criterion's new cr_assert
 * cannot take as its first token. */
static inline int it_true(int x)
{
    return x;
}

/* Body of a ParameterizedTestParameters over the file-scope array table:
 * the parameters are the indexes 0..n-1. Criterion runs each test in a new
 * exec of the binary and copies parameters by value, so pointers inside them
 * (string literals) would not be valid there; indexes into a table are. */
#define IT_INDEX_PARAMS(table)                                                                     \
    do {                                                                                           \
        static size_t it_idx_[sizeof(table) / sizeof((table)[0])];                                 \
        for (size_t k_ = 0; k_ < sizeof(table) / sizeof((table)[0]); k_++)                         \
            it_idx_[k_] = k_;                                                                      \
        return cr_make_param_array(size_t, it_idx_, sizeof(table) / sizeof((table)[0]));           \
    } while (0)

/* True when TEST_EDGE_URL is set. */
int it_have_stack(void);

/* Value of environment variable name; "" when unset. Borrowed. */
const char *it_env(const char *name);

/* Milliseconds on the monotonic clock. */
double it_now_ms(void);

/* How a request authenticates. */
enum it_auth {
    IT_AUTH_NONE,      /* no credentials */
    IT_AUTH_BOOTSTRAP, /* Basic TEST_API_USER:TEST_API_KEY */
    IT_AUTH_API_KEY,   /* x-api-key: TEST_API_KEY */
};

/* One request. Zero-initialise, then fill what matters. */
struct it_req {
    const char *method; /* "GET" when NULL */
    const char *url;    /* absolute URL; else TEST_EDGE_URL + path */
    const char *path;   /* "/api/2015-02-01/util/test/1" */
    enum it_auth auth;
    const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
    const void *body;           /* sent when body_len > 0 or body != NULL */
    size_t body_len;
    long timeout_ms; /* 10000 when 0 */
    const char *local_addr; /* source address to bind ("127.0.0.2"), or NULL */
};

/* A response: status, headers of the final response, body. */
struct it_resp {
    long status; /* 0 when the transfer failed */
    char *body;  /* NUL-terminated; caller frees through it_resp_release */
    size_t len;
    char **hnames; /* header names and values, n entries each */
    char **hvalues;
    size_t nheaders;
    double ms;       /* wall time of the exchange */
    char error[256]; /* libcurl's message when status is 0 */
};

/* Sends rq and fills out (release it with it_resp_release). Returns 0, or -1
 * when no HTTP response came back (out->error says why). */
int it_http(const struct it_req *rq, struct it_resp *out);

/* Shorthand: method on path with auth, optional body of content type ctype
 * (NULL: none, body sent as is). Asserts a response came back. */
void it_call(struct it_resp *out, const char *method, const char *path, enum it_auth auth,
             const char *ctype, const char *body);

void it_resp_release(struct it_resp *r);

/* Value of response header name (case-insensitive), NULL when absent.
 * Borrowed, valid until it_resp_release. */
const char *it_header(const struct it_resp *r, const char *name);

/* As it_header, but "(absent)" instead of NULL, for eq(str, ...) asserts. */
const char *it_header_str(const struct it_resp *r, const char *name);

/* Body parsed as JSON; asserts that it parses. Caller json_decref. */
json_t *it_json(const struct it_resp *r);

/* method path as token (NULL: none) with body (NULL: none); asserts the
 * answer is status and returns its body parsed (caller json_decref). */
json_t *it_call_expect(const char *method, const char *path, const char *token, const char *body,
                       long status);

/* data.attributes.<name> of a JSON:API document as a string, "(none)" when
 * absent or not a string (borrowed). */
const char *it_attr_str(const json_t *doc, const char *name);

/* data.id of a JSON:API document, "(none)" when absent (borrowed). */
const char *it_data_id(const json_t *doc);

/* Asserts the body is an error in the style of the surface:
 *   "cureatr": {"status": "error", "message": <non-empty string>}
 *   "okaya":   {"error": <non-empty string>}
 *   "jsonapi": {"errors": [{"status": status, "code": <string>, "detail": <string>}]}
 * and that Content-Type is application/json. */
void it_assert_error_style(const struct it_resp *r, const char *surface, long status);

/* --- users and tokens (/v1) --- */

/* As it_call, with "Authorization: Bearer <token>" (none when token is NULL
 * or "") and a JSON body (may be NULL). */
void it_call_token(struct it_resp *out, const char *method, const char *path, const char *token,
                   const char *json_body);

/* POST /v1/login/ with username and password (and totp_code unless NULL).
 * Returns the HTTP status; on 201 copies the access and refresh tokens into
 * access/refresh (each CM_TOKEN_MAX_LEN + 1 bytes; either may be NULL). */
long it_login(const char *username, const char *password, const char *totp_code, char *access,
              char *refresh);

/* Logs the platform admin (TEST_ADMIN_EMAIL / TEST_ADMIN_PASSWORD) in and
 * copies the access token into access (4097 bytes); asserts it works. */
void it_admin_token(char *access);

/* As it_admin_token, then waits (at most 15 s) until the edge accepts the
 * token: it learns identity's signing keys shortly after the stack starts,
 * answering 503 until then. For a suite that may run first. */
void it_admin_token_accepted(char *access);

/* As it_admin_token, then POST /v1/authenticate/ with it: the admin's
 * user id and the token's session id into user_id and session_id (40 bytes
 * each; either may be NULL). */
void it_admin_session(char *access, char *user_id, char *session_id);

/* A fresh name: prefix, then a random part (for usernames, organization
 * names, codes) into out (cap bytes). */
void it_unique(char *out, size_t cap, const char *prefix);

/* Waits up to timeout_ms for a message to `to` in TEST_SPOOL_DIR whose
 * "kind" is kind (any when NULL), and returns the newest such as a JSON
 * object (caller json_decref), NULL when none came. */
json_t *it_spool_wait(const char *to, const char *kind, double timeout_ms);

/* How many spooled messages to `to` of kind there are now. */
int it_spool_count(const char *to, const char *kind);

/* Copies the first run of 6 or more digits of msg's "body" (a code in a
 * spooled message) into out (cap bytes); "" when none. */
void it_spool_code(const json_t *msg, char *out, size_t cap);

/* --- the test stack --- */

/* Runs "$TEST_STACK args..." (NULL-terminated) with VAR_DIR=$TEST_VAR_DIR,
 * stderr appended to $TEST_VAR_DIR/log/integration-stack.log. Its stdout
 * goes to out (cap bytes, trailing newline removed) when out is not NULL.
 * Returns the exit status, or -1 when it could not run. */
int it_stack(char *out, size_t cap, const char *arg, ...) __attribute__((sentinel));

/* Admin port of instance inst (1, 2, ...) of svc; asserts it is known. */
int it_admin_port(const char *svc, int inst);

/* Status of GET http://127.0.0.1:port/<what> ("readyz", "healthz"), 0 when
 * nothing answers. */
long it_admin_status(int port, const char *what);

/* Sum of the samples of metric name whose label set contains every
 * NULL-terminated "key=\"value\"" matcher, scraped from port's /metrics.
 * Returns -1 when the scrape fails. */
double it_metric(int port, const char *name, ...) __attribute__((sentinel));

/* Pid recorded in $TEST_VAR_DIR/run/<name>.pid, 0 when none. */
long it_pid_of(const char *name);

/* Polls until every instance-1 daemon (edge included) answers /readyz with
 * 200, at most timeout_ms. Returns 1 when they all did. */
int it_wait_all_ready(double timeout_ms);

/* Polls GET util/test (Basic auth) until it answers 200, at most timeout_ms.
 * Returns 1 when it did. */
int it_wait_util_test_ok(double timeout_ms);

/* Puts the shared stack back as with-test-stack.sh started it, whatever a
 * test did to it: nats-server running (continued if stopped with SIGSTOP),
 * postgres and every daemon's first copy started, extra copies stopped; then
 * waits up to timeout_ms for every /readyz and for util/test to answer 200.
 * A suite that stops, freezes or restarts parts of the stack calls it last
 * in its .fini (after undoing its own settings), so that the suites after it
 * find the stack whole and the order of suites does not matter. Returns 1
 * when the stack is serving again (also without a stack: nothing to do). */
int it_stack_restore(double timeout_ms);

/* --- Postgres --- */

/* Connection to TEST_PG_URL as the admin role; skips the test when unset,
 * asserts the connection works. Caller PQfinish. */
PGconn *it_pg(void);

/* First column of the first row of sql with text parameters (n of them) as
 * a new string (caller frees), NULL for SQL NULL or no row. Asserts the
 * query succeeds. */
char *it_pg_value(PGconn *pg, const char *sql, int n, const char *const *params);

#endif
