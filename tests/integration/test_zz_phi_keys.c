/* test_zz_phi_keys.c: the clinical API's PHI keys (services/messaging/
 * phi_crypt.h): a thread's patient name and a patient record sealed under
 * the database key are re-sealed under PHI_KEYS' first key at the next
 * start, and keys rotate ("new first, old after it", restart; then the new
 * one alone) with the name still shown. Restarts messaging; its .fini
 * removes the rows sealed with the test keys, restarts messaging as the
 * stack had it and leaves the stack whole, so the suite may run in any
 * order. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_clinical.h"

#define K1 "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
#define K2 "k2:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpBQkNERUY="

static void restart_messaging_with(const char *keys)
{
    if (keys)
        setenv("PHI_KEYS", keys, 1);
    else
        unsetenv("PHI_KEYS");
    cr_assert(eq(int, it_stack(NULL, 0, "restart", "messaging", NULL), 0), "restart failed");
    cr_assert(it_wait_all_ready(15000), "not ready after messaging's restart");
}

static void restore_messaging(void)
{
    PGconn *pg;

    if (!it_have_stack())
        return;
    pg = it_pg();
    PQclear(PQexec(pg, "DELETE FROM messaging.clinical_threads WHERE phi_key_id IN ('k1', 'k2')"));
    PQclear(PQexec(pg, "DELETE FROM messaging.clinical_patients WHERE phi_key_id IN ('k1', 'k2')"));
    PQfinish(pg);
    unsetenv("PHI_KEYS");
    it_stack(NULL, 0, "restart", "messaging", NULL);
    it_stack_restore(30000);
}

/* "<thread's key>,<patient's key>" */
static char *keys_of(const char *thread, const char *org)
{
    PGconn *pg = it_pg();
    const char *v[2] = {thread, org};
    char *s = it_pg_value(pg,
                          "SELECT (SELECT phi_key_id FROM messaging.clinical_threads "
                          "WHERE id = $1::uuid) || ',' || (SELECT phi_key_id FROM "
                          "messaging.clinical_patients WHERE organization_id = $2::uuid)",
                          2, v);
    PQfinish(pg);
    return s;
}

static void name_is_shown(const struct ic_client *c, const char *thread)
{
    char path[256];
    json_t *doc;

    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", thread);
    for (double end = it_now_ms() + 10000;;) { /* the edge may be reconnecting */
        long st = ic_api(c, "GET", path, NULL, NULL, &doc);
        if (st == 200 || it_now_ms() > end)
            break;
        json_decref(doc);
    }
    cr_assert(
        eq(str, (char *)ic_str(json_object_get(doc, "thread"), "patient_name"), "Ada Lovelace"));
    json_decref(doc);
}

Test(zz_phi_keys, rows_are_resealed_at_start_and_keys_rotate, .timeout = 180,
     .fini = restore_messaging)
{
    struct ic_client c;
    struct ut_user a;
    char ea[160], form[400], thread[64], *v;
    json_t *doc;

    IT_REQUIRE_STACK();
    restart_messaging_with(NULL);
    ic_world(&c, "[\"admin\", \"view-phi\"]");
    ic_person(&c, &a, ea);
    snprintf(form, sizeof form, "subject=s&message=m&patient_name=Ada+Lovelace&recipients=%s", ea);
    cr_assert(eq(long, ic_api(&c, "POST", "/api/2014-08-01/thread/create", NULL, form, &doc), 200));
    snprintf(thread, sizeof thread, "%s", ic_str(doc, "thread_id"));
    json_decref(doc);
    cr_assert(eq(long,
                 ic_api(&c, "POST", "/api/2014-08-01/patients", "application/json",
                        "{\"pid\":\"phi-1\",\"dob\":\"1815-12-10\",\"sex\":\"F\","
                        "\"name\":{\"given\":\"Ada\",\"family\":\"Lovelace\"}}",
                        &doc),
                 200));
    json_decref(doc);
    v = keys_of(thread, c.org);
    cr_assert(eq(str, v, "db,db"));
    free(v);

    restart_messaging_with(K1);
    v = keys_of(thread, c.org);
    cr_assert(eq(str, v, "k1,k1"), "re-sealed under the first key at start");
    free(v);
    name_is_shown(&c, thread);

    restart_messaging_with(K2 "," K1);
    v = keys_of(thread, c.org);
    cr_assert(eq(str, v, "k2,k2"));
    free(v);
    name_is_shown(&c, thread);

    restart_messaging_with(K2);
    name_is_shown(&c, thread);
}
