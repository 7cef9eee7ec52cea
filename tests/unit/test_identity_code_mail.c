/* test_identity_code_mail.c: identity's queue of code and notice messages
 * (services/identity/code_mail.h): queuing never blocks on delivery, wipes
 * the caller's body, and refuses (without queuing) once full. The delivery
 * thread, which needs NATS, is covered by the reset_limits and
 * account_scope integration suites. */
// links: services/identity/code_mail.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "../../services/identity/code_mail.h"

static void fill(struct code_mail *m, int i)
{
    memset(m, 0, sizeof *m);
    snprintf(m->to, sizeof m->to, "user%d@example.org", i);
    snprintf(m->body, sizeof m->body, "Your code is %06d.", i);
    snprintf(m->kind, sizeof m->kind, "reset-code");
}

Test(code_mail, queues_without_a_thread_wipes_the_body_and_refuses_when_full)
{
    struct code_mail m;
    struct code_mailer *q = code_mailer_new();
    int before = code_mail_waiting(q);

    fill(&m, 1);
    cr_assert(eq(int, code_mail_queue(q, &m), CM_OK));
    cr_assert(eq(str, m.body, ""), "the caller's copy of the code is wiped");
    cr_assert(eq(int, code_mail_waiting(q), before + 1));
    for (int i = code_mail_waiting(q); i < CODE_MAIL_QUEUE_MAX; i++) {
        fill(&m, i);
        cr_assert(eq(int, code_mail_queue(q, &m), CM_OK));
    }
    cr_assert(eq(int, code_mail_waiting(q), CODE_MAIL_QUEUE_MAX));
    fill(&m, 0);
    cr_assert(eq(int, code_mail_queue(q, &m), CM_EUNAVAIL), "a full queue refuses");
    cr_assert(eq(int, code_mail_waiting(q), CODE_MAIL_QUEUE_MAX));
    code_mailer_free(q); /* no thread: what waits is wiped and freed */
}
