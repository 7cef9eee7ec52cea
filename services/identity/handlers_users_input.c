/* handlers_users_input.c: reading and checking the input of the users
 * operations: the query of #146 (filters, sort-by, page) and the value
 * checks shared by PATCH, change-email, confirm-phone and CreateAccount. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cm_jsonapi.h"
#include "handlers_users.h"

static const char *const sort_names[USER_SORT__COUNT] = {
    [USER_SORT_LAST_NAME] = "last-name", [USER_SORT_LAST_NAME_DESC] = "-last-name",
    [USER_SORT_FIRST_NAME] = "first-name", [USER_SORT_FIRST_NAME_DESC] = "-first-name",
    [USER_SORT_EMAIL] = "email",         [USER_SORT_EMAIL_DESC] = "-email",
    [USER_SORT_ID] = "id",               [USER_SORT_ID_DESC] = "-id",
};

cm_err users_sort_parse(const char *s, enum user_sort *out)
{
    for (int i = 0; i < USER_SORT__COUNT; i++) {
        if (!strcmp(s, sort_names[i])) {
            *out = (enum user_sort)i;
            return CM_OK;
        }
    }
    return CM_EINVAL;
}

int users_e164_valid(const char *s)
{
    size_t n;

    if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return 0;
    for (n = 1; s[n]; n++)
        if (!isdigit((unsigned char)s[n]))
            return 0;
    return n - 1 >= 7 && n - 1 <= 15;
}

/* True when s has no ASCII space or control character. */
static int no_space(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return 0;
    return 1;
}

int users_email_valid(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    return at && at != s && at[1] && !strchr(at + 1, '@') && no_space(s);
}

int users_locale_valid(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");

    if (n < 2 || n > 3)
        return 0;
    if (!s[n])
        return 1;
    return s[n] == '_' && strspn(s + n + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2 && !s[n + 3];
}

int users_username_valid(const char *s)
{
    return s && s[0] && no_space(s);
}

/* ---- the query of #146 ---- */

static const char *const list_params[] = {
    "email",
    "filter[classification]",
    "filter[cmp-last-modified-time]",
    "filter[email-verified]",
    "filter[enabled]",
    "filter[include-inactive]",
    "filter[include-participants]",
    "filter[include-tester]",
    "filter[include-unverified]",
    "filter[organization-admin]",
    "filter[phone-number]",
    "filter[primary-individual-ids]",
    "filter[registration-invite]",
    "filter[username]",
    "organization-id",
    "page[limit]",
    "page[offset]",
    "shared-with-id",
    "sort-by",
    "text",
    NULL,
};

#define CMP_PARAM "filter[cmp-last-modified-time]"

struct cmp_ctx {
    struct user_list_query *q;
    int count;
};

/* One filter[cmp-last-modified-time]; two of one kind keep the stricter. */
static cm_err cmp_item(struct cm_req *rq, const char *value, void *ctx)
{
    struct cmp_ctx *c = ctx;
    char op[3], when[CM_TIME_LEN];
    char *slot;

    if (++c->count > 2)
        return cm_fail_at(rq, CM_EINVAL, NULL, CMP_PARAM, "at most 2 comparisons");
    if (cm_cmp_time_parse(value, 0, op, when) != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, NULL, CMP_PARAM,
                          "each comparison is < or > followed by an RFC 3339 date-time");
    slot = op[0] == '<' ? c->q->modified_before : c->q->modified_after;
    if (!slot[0] || (op[0] == '<' ? strcmp(when, slot) < 0 : strcmp(when, slot) > 0))
        snprintf(slot, USER_TIME_LEN, "%s", when);
    return CM_OK;
}

/* A Postgres array literal being built from checked items. */
struct array_ctx {
    const char *param;
    char *buf;
    size_t cap;
    int count;
    int (*valid)(const char *item);
    const char *what;
};

static int item_uuid(const char *s)
{
    return cm_uuid_valid(s);
}

static int item_invite(const char *s)
{
    return !strcmp(s, "accepted") || !strcmp(s, "failed") || !strcmp(s, "none") ||
           !strcmp(s, "sent");
}

/* One occurrence of an array parameter: items separated by commas. */
static cm_err array_item(struct cm_req *rq, const char *value, void *ctx)
{
    struct array_ctx *a = ctx;
    char item[64];
    const char *p = value;

    do {
        size_t n = strcspn(p, ",");
        size_t len = strlen(a->buf);
        if (n == 0 || n >= sizeof item)
            return cm_fail_at(rq, CM_EINVAL, NULL, a->param, "items must be %s", a->what);
        memcpy(item, p, n);
        item[n] = '\0';
        if (!a->valid(item))
            return cm_fail_at(rq, CM_EINVAL, NULL, a->param, "items must be %s", a->what);
        if (len + n + 3 > a->cap)
            return cm_fail_at(rq, CM_EINVAL, NULL, a->param, "too many items");
        snprintf(a->buf + len, a->cap - len, "%s%s", a->count++ ? "," : "{", item);
        p += n;
    } while (*p++ == ',');
    return CM_OK;
}

static cm_err read_array(struct cm_req *rq, const char *param, char *buf, size_t cap,
                         int (*valid)(const char *), const char *what)
{
    struct array_ctx a = {param, buf, cap, 0, valid, what};
    cm_err err;

    buf[0] = '\0';
    err = cm_query_each(rq, param, cap, array_item, &a);
    if (err == CM_OK && a.count)
        strcat(buf, "}");
    return err;
}

struct sort_ctx {
    enum user_sort *sort;
    int count;
};

static cm_err sort_item(struct cm_req *rq, const char *value, void *ctx)
{
    struct sort_ctx *s = ctx;

    if (++s->count > 1)
        return cm_fail_at(rq, CM_EINVAL, NULL, "sort-by", "sort-by takes exactly one value");
    if (users_sort_parse(value, s->sort) != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, NULL, "sort-by",
                          "sort-by must be one of id, email, first-name, last-name, each "
                          "optionally preceded by -");
    return CM_OK;
}

cm_err users_list_query_read(struct cm_req *rq, struct user_list_query *q)
{
    struct cmp_ctx cmp = {q, 0};
    struct sort_ctx sort = {&q->sort, 0};
    int include_inactive = 0, org_admin = USER_ANY;
    cm_err err;

    memset(q, 0, sizeof *q);
    q->sort = USER_SORT_LAST_NAME;
    err = cm_query_known(rq, list_params);
    if (err == CM_OK)
        err = cm_query_text(rq, "email", 255, q->email, sizeof q->email);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[classification]", 15, q->classification,
                            sizeof q->classification);
    if (err == CM_OK && q->classification[0] && strcmp(q->classification, "carium") &&
        strcmp(q->classification, "customer") && strcmp(q->classification, "customer_test"))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "filter[classification]",
                         "filter[classification] must be carium, customer or customer_test");
    if (err == CM_OK)
        err = cm_query_each(rq, CMP_PARAM, 40, cmp_item, &cmp);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[email-verified]", USER_ANY, &q->email_verified);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[enabled]", USER_ANY, &q->enabled);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[include-inactive]", 0, &include_inactive);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[include-participants]", 0, &q->include_participants);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[include-tester]", USER_ANY, &q->include_tester);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[include-unverified]", 0, &q->include_unverified);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[organization-admin]", USER_ANY, &org_admin);
    if (err == CM_OK && org_admin == USER_FALSE)
        err = cm_fail_at(rq, CM_EINVAL, NULL, "filter[organization-admin]",
                         "filter[organization-admin] supports only true");
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[phone-number]", 30, q->phone, sizeof q->phone);
    if (err == CM_OK && q->phone[0] && !users_e164_valid(q->phone))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "filter[phone-number]",
                         "filter[phone-number] must be an E.164 number (+ and 7 to 15 digits)");
    if (err == CM_OK)
        err = read_array(rq, "filter[primary-individual-ids]", q->primary_individual_ids,
                         sizeof q->primary_individual_ids, item_uuid, "uuids");
    if (err == CM_OK)
        err = read_array(rq, "filter[registration-invite]", q->registration_invite,
                         sizeof q->registration_invite, item_invite,
                         "accepted, failed, none or sent");
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[username]", 255, q->username, sizeof q->username);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", q->organization);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &q->limit, &q->offset);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "shared-with-id", q->shared_with);
    if (err == CM_OK)
        err = cm_query_each(rq, "sort-by", 16, sort_item, &sort);
    if (err == CM_OK)
        err = cm_query_text(rq, "text", 255, q->text, sizeof q->text);
    /* include-inactive (false: enabled users only) yields to an explicit
     * filter[enabled]. */
    if (q->enabled == USER_ANY && !include_inactive)
        q->enabled = USER_TRUE;
    q->organization_admin = org_admin == USER_TRUE;
    return err;
}
