/* store_access.c: authz's SQL for access questions (store_access.h). Every
 * statement is put together at compile time from the rules of
 * store_access_rules.h and fixed fragments (chosen by enum, never from
 * input); every value travels as a typed parameter. The pages are one row:
 * the total and one page of ids, in id order, as a Postgres array. */
#include "store_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_pg.h"
#include "store_access_rules.h"

#define OID_BOOL 16
#define OID_INT8 20
#define OID_TEXT 25
#define OID_DATE 1082
#define OID_UUID 2950
#define OID_UUID_ARRAY 2951

/* ---- pages ---- */

void access_page_release(struct access_page *page)
{
    free(page->ids);
    page->ids = NULL;
    page->n = 0;
}

cm_err store_access_ids_parse(const char *pg_array, struct access_page *out)
{
    size_t len = pg_array ? strlen(pg_array) : 0, n = 0;
    char(*ids)[CM_UUID_LEN + 1];
    const char *p;

    if (len < 2 || pg_array[0] != '{' || pg_array[len - 1] != '}')
        return CM_EINVAL;
    ids = cm_xcalloc(len / (CM_UUID_LEN + 1) + 1, sizeof *ids);
    for (p = pg_array + 1; p < pg_array + len - 1; n++) {
        const char *end = strchr(p, ',');
        if (!end || end > pg_array + len - 1)
            end = pg_array + len - 1;
        if ((size_t)(end - p) != CM_UUID_LEN)
            break;
        memcpy(ids[n], p, CM_UUID_LEN);
        ids[n][CM_UUID_LEN] = '\0';
        if (!cm_uuid_valid(ids[n]))
            break;
        p = end + 1;
    }
    if (p < pg_array + len - 1) {
        free(ids);
        return CM_EINVAL;
    }
    out->n = n;
    out->ids = n ? ids : NULL;
    if (!n)
        free(ids);
    return CM_OK;
}

/* Runs a statement whose answer is one boolean row (none: false). */
static cm_err one_bool(PGconn *pg, const char *sql, int n, const char *const *params, int *out)
{
    PGresult *res = cm_pg_exec_params(pg, sql, n, NULL, params, NULL, NULL, 0);
    cm_err err = cm_pg_result_err(res);
    if (err == CM_OK)
        *out = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return err;
}

cm_err store_access_all_owned_by(PGconn *pg, const char *ids_pg, const char *organization_id,
                                 int *out_all)
{
    const char *params[2] = {ids_pg, organization_id};
    return one_bool(pg,
                    "SELECT NOT EXISTS (SELECT 1 FROM unnest($1::uuid[]) AS r(id)"
                    " WHERE NOT EXISTS (SELECT 1 FROM individuals i WHERE i.id = r.id"
                    " AND i.owner_id = $2::uuid))",
                    2, params, out_all);
}

/* ---- decisions ---- */

/* $1 the user, $2 (when the id is given) the entity: one row when the user
 * is known and enabled. */
#define HEAD "SELECT u.platform_admin OR EXISTS (SELECT 1 FROM ("
#define TAIL " FROM users u WHERE u.id = $1::uuid AND u.enabled"
#define PAIRS ") s(user_id, id) WHERE s.user_id = $1::uuid"
#define CHECK_ID(T, O, RULE) [T][O] = HEAD RULE PAIRS " AND s.id = $2::uuid)" TAIL,
#define CHECK_ANY(T, O, RULE) [T][O] = HEAD RULE PAIRS ")" TAIL,
/* $2 an array of entity ids: the ids allowed */
#define FILTER(T, O, RULE)                                                                         \
    [T][O] = "SELECT r.id::text FROM unnest($2::uuid[]) r(id)"                                     \
             " JOIN users u ON u.id = $1::uuid AND u.enabled WHERE u.platform_admin"               \
             " OR EXISTS (SELECT 1 FROM (" RULE PAIRS " AND s.id = r.id)",

static const char *const check_id_sql[3][3] = {RULE_TABLE(CHECK_ID)};
static const char *const check_any_sql[3][3] = {RULE_TABLE(CHECK_ANY)};
static const char *const filter_sql[3][3] = {RULE_TABLE(FILTER)};

/* system and app.*: the platform admin only */
static const char admin_only[] =
    "SELECT u.platform_admin FROM users u WHERE u.id = $1::uuid AND u.enabled";

/* The statement of table for (type, op), NULL when the pair has no rule. */
static const char *rule_sql(const char *const table[3][3], enum authz_type type, enum authz_op op)
{
    if ((unsigned)type > AUTHZ_ORGANIZATION || (unsigned)op > AUTHZ_CONTAIN)
        return NULL;
    return table[type][op];
}

cm_err store_access_allowed(PGconn *pg, const char *user_id, const struct authz_query *q,
                            int *out_allow)
{
    const char *params[2] = {user_id, q->id};
    if (q->type == AUTHZ_SYSTEM || q->type == AUTHZ_APP)
        return one_bool(pg, admin_only, 1, params, out_allow);
    const char *sql = rule_sql(q->id[0] ? check_id_sql : check_any_sql, q->type, q->op);
    if (!sql)
        return CM_EINVAL;
    return one_bool(pg, sql, q->id[0] ? 2 : 1, params, out_allow);
}

cm_err store_access_filter(PGconn *pg, const char *user_id, enum authz_type type, enum authz_op op,
                           const char *const *ids, size_t n, int *out_allow)
{
    const char *sql = rule_sql(filter_sql, type, op);
    char *arr;
    size_t len = 1;
    cm_err err;

    if (!sql || n > 1000)
        return CM_EINVAL;
    for (size_t i = 0; i < n; i++) {
        out_allow[i] = 0;
        if (!cm_uuid_valid(ids[i]))
            return CM_EINVAL;
    }
    if (n == 0)
        return CM_OK;
    arr = cm_xmalloc(n * (CM_UUID_LEN + 1) + 2);
    arr[0] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(arr + len, "%s%s", i ? "," : "", ids[i]);
    snprintf(arr + len, 2, "}");
    const char *params[2] = {user_id, arr};
    PGresult *res = cm_pg_exec_params(pg, sql, 2, NULL, params, NULL, NULL, 0);
    err = cm_pg_result_err(res);
    for (int r = 0; err == CM_OK && r < PQntuples(res); r++)
        for (size_t i = 0; i < n; i++)
            if (!strcmp(PQgetvalue(res, r, 0), ids[i]))
                out_allow[i] = 1;
    PQclear(res);
    free(arr);
    return err;
}

/* the page of f: limit and offset are the last two parameters */
#define PAGE_OF_F(lim, off)                                                                        \
    " SELECT (SELECT count(*) FROM f) AS total,"                                                   \
    " ARRAY(SELECT id FROM f ORDER BY id LIMIT " lim " OFFSET " off ")::text AS ids"

/* Runs a page statement and reads its one row into out. */
static cm_err run_page(PGconn *pg, const char *sql, int n, const Oid *types,
                       const char *const *params, struct access_page *out)
{
    PGresult *res = cm_pg_exec_params(pg, sql, n, types, params, NULL, NULL, 0);
    cm_err err = cm_pg_result_err(res);
    if (err == CM_OK) {
        int ct = PQfnumber(res, "total"), ci = PQfnumber(res, "ids");
        if (PQntuples(res) != 1 || ct < 0 || ci < 0) {
            err = CM_EINTERNAL;
        } else {
            out->total = strtol(PQgetvalue(res, 0, ct), NULL, 10);
            err = store_access_ids_parse(PQgetvalue(res, 0, ci), out);
        }
    }
    PQclear(res);
    return err;
}

static void long_text(char *buf, size_t cap, long v)
{
    snprintf(buf, cap, "%ld", v);
}

/* #11: $1 user, $2..$14 the filters, $15 limit, $16 offset */
#define INDIVIDUAL_FILTERS                                                                         \
    " AND ($2::text IS NULL OR i.account_type = $2)"                                               \
    " AND ($3::date IS NULL OR i.birth_date = $3)"                                                 \
    " AND ($4::bool IS NULL OR i.email_verified = $4)"                                             \
    " AND ($5::text IS NULL OR lower(i.email) = lower($5))"                                        \
    " AND ($6::uuid[] IS NULL OR i.owner_id <> ALL ($6))"                                          \
    " AND ($7::text IS NULL OR lower(i.first_name) = lower($7))"                                   \
    " AND ($8::uuid IS NULL OR EXISTS (SELECT 1 FROM group_tree t"                                 \
    "  JOIN group_individuals gi ON gi.group_id = t.descendant_id"                                 \
    "  WHERE t.ancestor_id = $8 AND gi.individual_id = i.id))"                                     \
    " AND ($9::uuid IS NULL OR EXISTS (SELECT 1 FROM group_leaders l"                              \
    "  JOIN group_tree t ON t.ancestor_id = l.group_id"                                            \
    "  JOIN group_individuals gi ON gi.group_id = t.descendant_id"                                 \
    "  WHERE l.user_id = $9 AND gi.individual_id = i.id))"                                         \
    " AND ($10::text IS NULL OR lower(i.last_name) = lower($10))"                                  \
    " AND ($11::uuid IS NULL OR i.owner_id = $11)"                                                 \
    " AND ($12::bool IS NULL OR i.phone_verified = $12)"                                           \
    " AND ($13::text IS NULL OR i.phone = $13)"                                                    \
    " AND ($14::bool IS NULL OR i.registered = $14)"

#define INDIVIDUALS_SQL(set)                                                                       \
    "WITH s(id) AS (" set "), f AS (SELECT i.id FROM individuals i"                                \
    " WHERE i.id IN (SELECT id FROM s)" INDIVIDUAL_FILTERS ")" PAGE_OF_F("$15", "$16")

cm_err access_individuals_page(PGconn *pg, const char *user_id, int platform_admin,
                               enum authz_op op, const struct individual_filters *f, long limit,
                               long offset, struct access_page *out)
{
    static const Oid types[16] = {OID_UUID, OID_TEXT, OID_DATE, OID_BOOL, OID_TEXT, OID_UUID_ARRAY,
                                  OID_TEXT, OID_UUID, OID_UUID, OID_TEXT, OID_UUID, OID_BOOL,
                                  OID_TEXT, OID_BOOL, OID_INT8, OID_INT8};
    static const char *const sql_all = INDIVIDUALS_SQL("SELECT i.id FROM individuals i");
    static const char *const sql_read = INDIVIDUALS_SQL(RULE_OF_ME(RULE_INDIVIDUAL_READ));
    static const char *const sql_write = INDIVIDUALS_SQL(RULE_OF_ME(RULE_INDIVIDUAL_WRITE));
    char lim[24], off[24];
    long_text(lim, sizeof lim, limit);
    long_text(off, sizeof off, offset);
    const char *params[16] = {user_id,
                              f->account_type,
                              f->birth_date,
                              f->email_verified,
                              f->email,
                              f->exclude_owner_ids,
                              f->first_name,
                              f->group_id,
                              f->leader_id,
                              f->last_name,
                              f->organization_id,
                              f->phone_verified,
                              f->phone,
                              f->registered,
                              lim,
                              off};
    const char *sql = platform_admin ? sql_all : op == AUTHZ_WRITE ? sql_write : sql_read;
    return run_page(pg, sql, 16, types, params, out);
}
