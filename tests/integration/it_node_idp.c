/* it_node_idp.c: the sign-in suites' node identity provider and libcurl
 * browser (see it_node_idp.h). */
#include "it_node_idp.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define IDP_ARGS_MAX 8

void it_idp_start(struct it_idp *p, const char *what, char *line, size_t cap, const char *script,
                  ...)
{
    const char *argv[IDP_ARGS_MAX + 3] = {"node", script};
    pid_t parent = getpid();
    int fds[2], n = 2;
    va_list ap;

    va_start(ap, script);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
        cr_assert(n < IDP_ARGS_MAX + 2, "too many arguments for %s", script);
        argv[n++] = a;
    }
    va_end(ap);
    argv[n] = NULL;
    memset(p, 0, sizeof *p);
    line[0] = '\0';
    cr_assert(eq(int, pipe(fds), 0));
    p->pid = fork();
    cr_assert(p->pid >= 0);
    if (p->pid == 0) {
        /* ends with the test's process, even when an assertion ends it */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execvp("node", (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    p->out = fdopen(fds[0], "r");
    cr_assert(p->out != NULL);
    /* the read blocks until the line or the child's end; the suite's timeout bounds it */
    if (!fgets(line, (int)cap, p->out))
        line[0] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strncmp(line, "READY ", 6) != 0) {
        it_idp_stop(p);
        cr_assert(0, "the %s did not start (is `npm ci` done in tests/node?): \"%s\"", what, line);
    }
}

void it_idp_stop(struct it_idp *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        waitpid(p->pid, NULL, 0);
        p->pid = 0;
    }
    if (p->out)
        fclose(p->out);
    p->out = NULL;
}

static size_t page_write(char *data, size_t size, size_t n, void *ctx)
{
    struct it_page *pg = ctx;
    size_t add = size * n;

    pg->body = realloc(pg->body, pg->len + add + 1);
    memcpy(pg->body + pg->len, data, add);
    pg->len += add;
    pg->body[pg->len] = '\0';
    return add;
}

void it_browse(CURL *b, const char *url, const char *form, struct it_page *out)
{
    char *loc = NULL;

    free(out->body);
    memset(out, 0, sizeof *out);
    curl_easy_setopt(b, CURLOPT_URL, url);
    curl_easy_setopt(b, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(b, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(b, CURLOPT_WRITEFUNCTION, page_write);
    curl_easy_setopt(b, CURLOPT_WRITEDATA, out);
    if (form)
        curl_easy_setopt(b, CURLOPT_POSTFIELDS, form);
    else
        curl_easy_setopt(b, CURLOPT_HTTPGET, 1L);
    cr_assert(eq(int, curl_easy_perform(b), CURLE_OK), "request to %s", url);
    curl_easy_getinfo(b, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(b, CURLINFO_REDIRECT_URL, &loc);
    snprintf(out->location, sizeof out->location, "%s", loc ? loc : "");
}
