/* test_clinical_attachments.c: attachments in clinical threads through the
 * edge: thread/create's and message's attachment_ids must be attachments
 * of the thread's organization (unknown or another organization's: 400
 * with the seed's reason), and a person downloads the attachments of the
 * messages of threads they take part in with their own token (others: 404
 * "invalid id"). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_attach.h"
#include "it_clinical.h"

TestSuite(clinical_attachments, .timeout = 120);

#define CREATE "/api/2014-08-01/thread/create"
#define CONTENT "hello attachment"

/* Uploads CONTENT as c; its id into id (25 bytes). */
static void upload(const struct ic_client *c, char *id)
{
    size_t len;
    char *body = ia_multipart("attachment", "note.txt", CONTENT, strlen(CONTENT), &len);
    json_t *doc = NULL;

    cr_assert(eq(long,
                 ic_api(c, "POST", "/api/2014-08-01/attachment",
                        "multipart/form-data; boundary=" IA_BOUNDARY, body, &doc),
                 200));
    snprintf(id, 25, "%s", ic_str(json_object_get(doc, "attachment"), "id"));
    cr_assert(eq(sz, strlen(id), 24));
    json_decref(doc);
    free(body);
}

/* GET path with a person's token: the status, the body into out. */
static long person_get(const char *token, const char *path, char *out, size_t cap)
{
    struct it_resp r;
    long st;

    it_call_token(&r, "GET", path, token, NULL);
    st = r.status;
    snprintf(out, cap, "%s", r.body ? r.body : "");
    it_resp_release(&r);
    return st;
}

Test(clinical_attachments, attachment_ids_must_be_the_organizations)
{
    struct ic_client c, other;
    struct ut_user a;
    char ea[160], mine[25], theirs[25], form[600];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_world(&other, "[\"admin\"]");
    ic_person(&c, &a, ea);
    upload(&c, mine);
    upload(&other, theirs);
    snprintf(form, sizeof form,
             "subject=s&message=m&recipients=%s&attachment_ids=%s&attachment_ids=%s", ea, mine,
             "ffffffffffffffffffffffff");
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, NULL, form, &doc), 400));
    cr_assert(eq(str, (char *)ic_str(doc, "message"), "Invalid Request"));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "reason"), "attachment_ids"),
                 "Unknown attachment ids: ffffffffffffffffffffffff"));
    json_decref(doc);
    snprintf(form, sizeof form, "subject=s&message=m&recipients=%s&attachment_ids=%s", ea, theirs);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, NULL, form, &doc), 400),
              "another organization's attachment");
    json_decref(doc);
    snprintf(form, sizeof form, "subject=s&message=m&recipients=%s&attachment_ids=%s", ea, mine);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, NULL, form, &doc), 200));
    snprintf(form, sizeof form,
             "{\"thread_id\": \"%s\", \"message\": \"x\", "
             "\"attachment_ids\": [\"%s\"]}",
             ic_str(doc, "thread_id"), theirs);
    json_decref(doc);
    cr_assert(eq(
        long, ic_api(&c, "POST", "/api/2014-08-01/message", "application/json", form, &doc), 400));
    snprintf(form, sizeof form, "Unknown attachment ids: %s", theirs);
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "reason"), "attachment_ids"), form));
    json_decref(doc);
}

Test(clinical_attachments, persons_download_their_threads_attachments)
{
    struct ic_client c;
    struct ut_user a, b;
    char ea[160], eb[160], id[25], loose[25], form[600], path[256], body[4096];

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_person(&c, &b, eb);
    upload(&c, id);
    upload(&c, loose);
    snprintf(form, sizeof form, "subject=s&message=m&recipients=%s&attachment_ids=%s", ea, id);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, NULL, form, NULL), 200));

    snprintf(path, sizeof path, "/api/2014-08-01/attachment/%s", id);
    cr_assert(eq(long, person_get(a.token, path, body, sizeof body), 200), "%s", body);
    cr_assert(not(eq(ptr, strstr(body, "note.txt"), NULL)), "%s", body);
    snprintf(path, sizeof path, "/api/2014-08-01/attachment/%s/content", id);
    cr_assert(eq(long, person_get(a.token, path, body, sizeof body), 200), "%s", body);
    cr_assert(eq(str, body, CONTENT));
    /* someone not in the thread, and an attachment in no thread of a's */
    cr_assert(eq(long, person_get(b.token, path, body, sizeof body), 404), "%s", body);
    cr_assert(not(eq(ptr, strstr(body, "invalid id"), NULL)), "%s", body);
    snprintf(path, sizeof path, "/api/2014-08-01/attachment/%s/content", loose);
    cr_assert(eq(long, person_get(a.token, path, body, sizeof body), 404), "%s", body);
    /* a person still cannot upload */
    cr_assert(ge(long, ic_token(a.token, "POST", "/api/2014-08-01/attachment", "{}", NULL), 400));
}
