/* handlers_access_sets.c: the sets the listing operations page through
 * (#10 accessible resources, #11 authz-individuals, #13 resource accessors):
 * engine.h's rules as set-returning SQL. Statements are put together from
 * the fixed fragments below only (chosen by enum, never from input); every
 * value travels as a typed parameter. Each answer is one row: the total and
 * one page of ids, in id order, as a Postgres array. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"
#include "handlers_access.h"

#define OID_BOOL 16
#define OID_INT8 20
#define OID_TEXT 25
#define OID_DATE 1082
#define OID_UUID 2950
#define OID_UUID_ARRAY 2951

/* ---- which entities may user $1 access ---- */

#define VIA_GROUPS(tbl, extra) /* individuals in groups below those where $1 is in tbl */    \
    "SELECT gi.individual_id FROM " tbl " x" extra                                          \
    " JOIN group_tree t ON t.ancestor_id = x.group_id"                                      \
    " JOIN group_individuals gi ON gi.group_id = t.descendant_id WHERE x.user_id = $1"
#define MEMBERS_CAN_WRITE " JOIN groups wg ON wg.id = x.group_id AND wg.members_can_write"
#define IND_BASE                                                                              \
    "SELECT i.id FROM individuals i WHERE i.user_id = $1"                                     \
    " UNION SELECT i.id FROM user_roles r JOIN individuals i ON i.owner_id = r.organization_id" \
    " WHERE r.user_id = $1 AND r.role_name = 'admin'"                                         \
    " UNION " VIA_GROUPS("group_leaders", "")
#define GROUP_ADMIN                                                                           \
    "SELECT g.id FROM user_roles r JOIN groups g ON g.organization_id = r.organization_id"    \
    " WHERE r.user_id = $1 AND r.role_name = 'admin'"
#define GROUPS_BELOW(tbl)                                                                     \
    "SELECT t.descendant_id FROM " tbl " x JOIN group_tree t ON t.ancestor_id = x.group_id"  \
    " WHERE x.user_id = $1"
#define GROUPS_ABOVE(tbl)                                                                     \
    "SELECT t.ancestor_id FROM " tbl " x JOIN group_tree t ON t.descendant_id = x.group_id"  \
    " WHERE x.user_id = $1"

/* [type][op]: the rule's set; NULL where the pair does not exist */
static const char *const rule_sets[3][3] = {
    [AUTHZ_GROUP] =
        {
            [AUTHZ_READ] = GROUP_ADMIN " UNION " GROUPS_BELOW("group_leaders") " UNION " GROUPS_BELOW(
                "group_members"),
            [AUTHZ_WRITE] = GROUP_ADMIN " UNION " GROUPS_BELOW("group_leaders"),
            [AUTHZ_CONTAIN] = GROUPS_ABOVE("group_leaders") " UNION " GROUPS_ABOVE(
                "group_members") " UNION SELECT t.ancestor_id FROM individuals i"
                                 " JOIN group_individuals gi ON gi.individual_id = i.id"
                                 " JOIN group_tree t ON t.descendant_id = gi.group_id"
                                 " WHERE i.user_id = $1",
        },
    [AUTHZ_INDIVIDUAL] =
        {
            [AUTHZ_READ] = IND_BASE " UNION " VIA_GROUPS("group_members", ""),
            [AUTHZ_WRITE] = IND_BASE " UNION " VIA_GROUPS("group_members", MEMBERS_CAN_WRITE),
        },
    [AUTHZ_ORGANIZATION] =
        {
            [AUTHZ_READ] = "SELECT m.organization_id FROM memberships m WHERE m.user_id = $1",
            [AUTHZ_WRITE] = "SELECT r.organization_id FROM user_roles r WHERE r.user_id = $1"
                            " AND r.role_name = 'admin'",
        },
};

/* everything of the type, for the platform admin (organizations: those
 * authz knows members of) */
static const char *const all_sets[3] = {
    [AUTHZ_GROUP] = "SELECT g.id FROM groups g",
    [AUTHZ_INDIVIDUAL] = "SELECT i.id FROM individuals i",
    [AUTHZ_ORGANIZATION] = "SELECT DISTINCT m.organization_id FROM memberships m",
};

/* narrowing to organization $2 (NULL = no narrowing) */
static const char *const org_filters[3] = {
    [AUTHZ_GROUP] = "SELECT s.id FROM s JOIN groups e ON e.id = s.id"
                    " WHERE $2::uuid IS NULL OR e.organization_id = $2",
    [AUTHZ_INDIVIDUAL] = "SELECT s.id FROM s JOIN individuals e ON e.id = s.id"
                         " WHERE $2::uuid IS NULL OR e.owner_id = $2",
    [AUTHZ_ORGANIZATION] = "SELECT s.id FROM s WHERE $2::uuid IS NULL OR s.id = $2",
};

/* the page of f: limit and offset are the last two parameters */
#define PAGE_OF_F(lim, off)                                                                   \
    " SELECT (SELECT count(*) FROM f) AS total,"                                              \
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
            out->ids = cm_xstrdup(PQgetvalue(res, 0, ci));
        }
    }
    PQclear(res);
    return err;
}

static void long_text(char *buf, size_t cap, long v)
{
    snprintf(buf, cap, "%ld", v);
}

cm_err access_entities_page(PGconn *pg, const char *user_id, int platform_admin,
                            enum authz_type type, const enum authz_op *ops, size_t nops,
                            const char *organization_id, long limit, long offset,
                            struct access_page *out)
{
    static const Oid types[4] = {OID_UUID, OID_UUID, OID_INT8, OID_INT8};
    char sql[8192], lim[24], off[24];
    size_t len;
    int seen[3] = {0, 0, 0};

    if ((unsigned)type > AUTHZ_ORGANIZATION || nops == 0)
        return CM_EINVAL;
    len = (size_t)snprintf(sql, sizeof sql, "WITH s(id) AS (");
    if (platform_admin) {
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s", all_sets[type]);
    } else {
        int first = 1;
        for (size_t i = 0; i < nops; i++) {
            if ((unsigned)ops[i] > AUTHZ_CONTAIN || !rule_sets[type][ops[i]])
                return CM_EINVAL;
            if (seen[ops[i]]++)
                continue;
            len += (size_t)snprintf(sql + len, sizeof sql - len, "%s(%s)",
                                    first ? "" : " INTERSECT ", rule_sets[type][ops[i]]);
            first = 0;
        }
    }
    len += (size_t)snprintf(sql + len, sizeof sql - len, "), f AS (%s)" PAGE_OF_F("$3", "$4"),
                            org_filters[type]);
    if (len >= sizeof sql)
        return CM_EINTERNAL;
    long_text(lim, sizeof lim, limit);
    long_text(off, sizeof off, offset);
    const char *params[4] = {user_id, organization_id, lim, off};
    return run_page(pg, sql, 4, types, params, out);
}

/* #11: $1 user, $2..$14 the filters, $15 limit, $16 offset */
#define INDIVIDUAL_FILTERS                                                                    \
    " AND ($2::text IS NULL OR i.account_type = $2)"                                          \
    " AND ($3::date IS NULL OR i.birth_date = $3)"                                            \
    " AND ($4::bool IS NULL OR i.email_verified = $4)"                                        \
    " AND ($5::text IS NULL OR lower(i.email) = lower($5))"                                   \
    " AND ($6::uuid[] IS NULL OR i.owner_id <> ALL ($6))"                                     \
    " AND ($7::text IS NULL OR lower(i.first_name) = lower($7))"                              \
    " AND ($8::uuid IS NULL OR EXISTS (SELECT 1 FROM group_tree t"                            \
    "  JOIN group_individuals gi ON gi.group_id = t.descendant_id"                            \
    "  WHERE t.ancestor_id = $8 AND gi.individual_id = i.id))"                                \
    " AND ($9::uuid IS NULL OR EXISTS (SELECT 1 FROM group_leaders l"                         \
    "  JOIN group_tree t ON t.ancestor_id = l.group_id"                                       \
    "  JOIN group_individuals gi ON gi.group_id = t.descendant_id"                            \
    "  WHERE l.user_id = $9 AND gi.individual_id = i.id))"                                    \
    " AND ($10::text IS NULL OR lower(i.last_name) = lower($10))"                             \
    " AND ($11::uuid IS NULL OR i.owner_id = $11)"                                            \
    " AND ($12::bool IS NULL OR i.phone_verified = $12)"                                      \
    " AND ($13::text IS NULL OR i.phone = $13)"                                               \
    " AND ($14::bool IS NULL OR i.registered = $14)"

#define INDIVIDUALS_SQL(set)                                                                  \
    "WITH s(id) AS (" set "), f AS (SELECT i.id FROM individuals i"                           \
    " WHERE i.id IN (SELECT id FROM s)" INDIVIDUAL_FILTERS ")" PAGE_OF_F("$15", "$16")

cm_err access_individuals_page(PGconn *pg, const char *user_id, int platform_admin,
                               enum authz_op op, const struct individual_filters *f, long limit,
                               long offset, struct access_page *out)
{
    static const Oid types[16] = {OID_UUID, OID_TEXT, OID_DATE, OID_BOOL, OID_TEXT, OID_UUID_ARRAY,
                                  OID_TEXT, OID_UUID, OID_UUID, OID_TEXT, OID_UUID, OID_BOOL,
                                  OID_TEXT, OID_BOOL, OID_INT8, OID_INT8};
    static const char *const sql_all = INDIVIDUALS_SQL("SELECT i.id FROM individuals i");
    static const char *const sql_read =
        INDIVIDUALS_SQL(IND_BASE " UNION " VIA_GROUPS("group_members", ""));
    static const char *const sql_write =
        INDIVIDUALS_SQL(IND_BASE " UNION " VIA_GROUPS("group_members", MEMBERS_CAN_WRITE));
    char lim[24], off[24];
    long_text(lim, sizeof lim, limit);
    long_text(off, sizeof off, offset);
    const char *params[16] = {user_id,       f->account_type,    f->birth_date,     f->email_verified,
                              f->email,      f->exclude_owner_ids, f->first_name,   f->group_id,
                              f->leader_id,  f->last_name,       f->organization_id, f->phone_verified,
                              f->phone,      f->registered,      lim,               off};
    const char *sql = platform_admin ? sql_all : op == AUTHZ_WRITE ? sql_write : sql_read;
    return run_page(pg, sql, 16, types, params, out);
}

/* ---- which users may access resources $1 ---- */

#define PLATFORM_ADMINS "SELECT u.id FROM users u WHERE u.platform_admin"
#define IND_ACCESSORS_BASE                                                                    \
    PLATFORM_ADMINS                                                                           \
    " UNION SELECT i.user_id FROM individuals i WHERE i.id = ANY ($1) AND i.user_id IS NOT NULL" \
    " UNION SELECT r.user_id FROM individuals i JOIN user_roles r"                            \
    " ON r.organization_id = i.owner_id AND r.role_name = 'admin' WHERE i.id = ANY ($1)"      \
    " UNION " ABOVE_INDIVIDUALS("group_leaders", "")
#define ABOVE_INDIVIDUALS(tbl, extra) /* users in tbl of groups above $1's groups */          \
    "SELECT x.user_id FROM group_individuals gi JOIN group_tree t ON t.descendant_id = gi.group_id" \
    " JOIN " tbl " x ON x.group_id = t.ancestor_id" extra " WHERE gi.individual_id = ANY ($1)"

/* [type][op] for individual and organization, read and write */
static const char *const accessor_sets[3][2] = {
    [AUTHZ_INDIVIDUAL] =
        {
            [AUTHZ_READ] = IND_ACCESSORS_BASE " UNION " ABOVE_INDIVIDUALS("group_members", ""),
            [AUTHZ_WRITE] = IND_ACCESSORS_BASE " UNION " ABOVE_INDIVIDUALS("group_members",
                                                                           MEMBERS_CAN_WRITE),
        },
    [AUTHZ_ORGANIZATION] =
        {
            [AUTHZ_READ] = PLATFORM_ADMINS " UNION SELECT m.user_id FROM memberships m"
                                           " WHERE m.organization_id = ANY ($1)",
            [AUTHZ_WRITE] = PLATFORM_ADMINS " UNION SELECT r.user_id FROM user_roles r"
                                            " WHERE r.organization_id = ANY ($1)"
                                            " AND r.role_name = 'admin'",
        },
};

#define ACCESSORS_FILTER                                                                      \
    "SELECT s.id FROM s JOIN users u ON u.id = s.id WHERE u.enabled AND ($2::uuid IS NULL"    \
    " OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = s.id AND m.organization_id = $2))"

cm_err access_accessors_page(PGconn *pg, enum authz_type type, enum authz_op op,
                             const char *resource_ids, const char *organization_id, long limit,
                             long offset, struct access_page *out)
{
    static const Oid types[4] = {OID_UUID_ARRAY, OID_UUID, OID_INT8, OID_INT8};
    char sql[8192], lim[24], off[24];
    if ((type != AUTHZ_INDIVIDUAL && type != AUTHZ_ORGANIZATION) ||
        (op != AUTHZ_READ && op != AUTHZ_WRITE))
        return CM_EINVAL;
    if ((size_t)snprintf(sql, sizeof sql, "WITH s(id) AS (%s), f AS (" ACCESSORS_FILTER ")" PAGE_OF_F("$3", "$4"),
                         accessor_sets[type][op]) >= sizeof sql)
        return CM_EINTERNAL;
    long_text(lim, sizeof lim, limit);
    long_text(off, sizeof off, offset);
    const char *params[4] = {resource_ids, organization_id, lim, off};
    return run_page(pg, sql, 4, types, params, out);
}
