/* engine.c: the authz3 engine: parses "type:id:operation" access queries and
 * decides them against authz's tables (engine.h states the rules).
 *
 * Each query is decided by one parameterized statement that also reads the
 * user: "SELECT u.platform_admin OR (<rule>) FROM users u WHERE u.id = $1 AND
 * u.enabled", so an unknown or disabled user yields no row (deny) and the
 * platform admin is allowed everything, in one round trip per query. The
 * rules walk the group closure table (group_tree) and the indexes of
 * 001_authz.sql only; no statement scans a table. Statements are prepared
 * once per connection by cm_pg_exec_params and have no parameter-dependent
 * shapes, so Postgres keeps one generic plan for each after five executions.
 *
 * An individual check reads the individual once (a LEFT JOIN beside the
 * user) and walks the groups once: the user's groups (led, or membered and,
 * for write, members-can-write) down the closure table to the individual's
 * groups. This is the same rule as one EXISTS per way in, in fewer plan
 * nodes and index probes: Postgres spends about a fifth less per check. */
#include "engine.h"

#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_pg.h"

/* ---- parsing ---------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

/* app.<name>: name of letters, digits, '_', '-' and '.' */
static int app_type_valid(const char *t, size_t n)
{
    if (n <= 4 || strncmp(t, "app.", 4) != 0)
        return 0;
    for (size_t i = 4; i < n; i++) {
        char c = t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static int type_parse(const char *t, size_t n, enum authz_type *out)
{
    static const struct {
        const char *name;
        enum authz_type type;
    } types[] = {
        {"group", AUTHZ_GROUP},
        {"individual", AUTHZ_INDIVIDUAL},
        {"organization", AUTHZ_ORGANIZATION},
        {"system", AUTHZ_SYSTEM},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strlen(types[i].name) == n && memcmp(types[i].name, t, n) == 0) {
            *out = types[i].type;
            return 1;
        }
    }
    if (app_type_valid(t, n)) {
        *out = AUTHZ_APP;
        return 1;
    }
    return 0;
}

static int op_parse(const char *o, enum authz_op *out)
{
    if (strcmp(o, "read") == 0)
        *out = AUTHZ_READ;
    else if (strcmp(o, "write") == 0)
        *out = AUTHZ_WRITE;
    else if (strcmp(o, "contain") == 0)
        *out = AUTHZ_CONTAIN;
    else
        return 0;
    return 1;
}

/* Free-text ids (system, app.*): no control characters. ':' cannot occur:
 * it would have made a fourth part. */
static int free_id_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

cm_err authz_query_parse(const char *s, struct authz_query *out, char *err, size_t errlen)
{
    struct authz_query q;
    size_t len;
    const char *c1, *c2;

    if (!s || !*s) {
        set_err(err, errlen, "access query is empty");
        return CM_EINVAL;
    }
    len = strlen(s);
    if (len > AUTHZ_QUERY_MAX) {
        set_err(err, errlen, "access query is longer than 256 characters");
        return CM_EINVAL;
    }
    c1 = strchr(s, ':');
    c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || strchr(c2 + 1, ':')) {
        set_err(err, errlen, "access query must have three parts: type:id:operation");
        return CM_EINVAL;
    }
    memset(&q, 0, sizeof q);
    memcpy(q.type_name, s, (size_t)(c1 - s));
    if (!type_parse(s, (size_t)(c1 - s), &q.type)) {
        set_err(err, errlen,
                "unknown access query type (group, individual, organization, system or app.<name>)");
        return CM_EINVAL;
    }
    memcpy(q.id, c1 + 1, (size_t)(c2 - c1 - 1));
    if (q.type == AUTHZ_SYSTEM || q.type == AUTHZ_APP) {
        if (!free_id_valid(q.id, strlen(q.id))) {
            set_err(err, errlen, "access query id must not contain control characters");
            return CM_EINVAL;
        }
    } else if (q.id[0] && !cm_uuid_valid(q.id)) {
        set_err(err, errlen, "access query id must be a uuid or empty");
        return CM_EINVAL;
    }
    if (!op_parse(c2 + 1, &q.op)) {
        set_err(err, errlen, "access query operation must be read or write (or contain for groups)");
        return CM_EINVAL;
    }
    if (q.op == AUTHZ_CONTAIN && q.type != AUTHZ_GROUP) {
        set_err(err, errlen, "operation contain applies to groups only");
        return CM_EINVAL;
    }
    *out = q;
    return CM_OK;
}

/* ---- the rules as SQL ------------------------------------------------- */

/* Every statement: $1 the user, $2 (when the id is given) the entity. */
#define HEAD "SELECT u.platform_admin OR ("
#define TAIL ") AS allow FROM users u WHERE u.id = $1::uuid AND u.enabled"

/* building blocks, each an EXISTS over index lookups */
#define ORG_ADMIN_OF_GROUP                                                                    \
    "EXISTS (SELECT 1 FROM groups g JOIN user_roles r ON r.organization_id = g.organization_id" \
    " WHERE g.id = $2::uuid AND r.user_id = u.id AND r.role_name = 'admin')"
#define UP(tbl) /* U in tbl of $2's group or an ancestor of it */                          \
    "EXISTS (SELECT 1 FROM group_tree t JOIN " tbl " x ON x.group_id = t.ancestor_id"       \
    " WHERE t.descendant_id = $2::uuid AND x.user_id = u.id)"
#define DOWN(tbl) /* U in tbl of $2's group or a descendant of it */                       \
    "EXISTS (SELECT 1 FROM " tbl " x JOIN group_tree t ON t.descendant_id = x.group_id"     \
    " WHERE x.user_id = u.id AND t.ancestor_id = $2::uuid)"
#define OWN_INDIVIDUAL_DOWN                                                                   \
    "EXISTS (SELECT 1 FROM individuals i JOIN group_individuals gi ON gi.individual_id = i.id" \
    " JOIN group_tree t ON t.descendant_id = gi.group_id"                                     \
    " WHERE i.user_id = u.id AND t.ancestor_id = $2::uuid)"
/* Individual statements: $2's row as i beside the user (NULL when no such
 * individual, which allows nothing but the platform admin). */
#define IND_HEAD "SELECT u.platform_admin OR (i.user_id IS NOT NULL AND i.user_id = u.id) OR "
#define IND_TAIL                                                                              \
    " AS allow FROM users u LEFT JOIN individuals i ON i.id = $2::uuid"                        \
    " WHERE u.id = $1::uuid AND u.enabled"
#define IND_ADMIN                                                                             \
    "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id"                               \
    " AND r.organization_id = i.owner_id AND r.role_name = 'admin')"
/* i is in a descendant-or-self of a group that U leads or (members) is in */
#define IND_VIA(members)                                                                      \
    "EXISTS (SELECT 1 FROM (SELECT x.group_id FROM group_leaders x WHERE x.user_id = u.id"    \
    " UNION ALL " members ") ug JOIN group_tree t ON t.ancestor_id = ug.group_id"             \
    " JOIN group_individuals gi ON gi.group_id = t.descendant_id AND gi.individual_id = i.id)"
#define READ_MEMBERS "SELECT x.group_id FROM group_members x WHERE x.user_id = u.id"
#define MEMBERS_CAN_WRITE " JOIN groups wg ON wg.id = x.group_id AND wg.members_can_write"
#define WRITE_MEMBERS "SELECT x.group_id FROM group_members x" MEMBERS_CAN_WRITE " WHERE x.user_id = u.id"

/* "any" forms: at least one entity of the type. Nested EXISTS keep every
 * step a parameterized index probe (a join here lets the planner pick a
 * sequential scan that it expects to stop early). */
#define ANY_ADMIN_WITH(tbl, col)                                                              \
    "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role_name = 'admin'"     \
    " AND EXISTS (SELECT 1 FROM " tbl " e WHERE e." col " = r.organization_id))"
#define OWN_INDIVIDUAL_ANY                                                                    \
    "EXISTS (SELECT 1 FROM individuals i WHERE i.user_id = u.id AND EXISTS (SELECT 1"         \
    " FROM group_individuals gi WHERE gi.individual_id = i.id))"
#define ANY_IN(tbl) "EXISTS (SELECT 1 FROM " tbl " x WHERE x.user_id = u.id)"
#define ANY_IND_VIA(tbl, extra)                                                               \
    "EXISTS (SELECT 1 FROM " tbl " x" extra " WHERE x.user_id = u.id AND EXISTS (SELECT 1"    \
    " FROM group_tree t WHERE t.ancestor_id = x.group_id AND EXISTS (SELECT 1"                \
    " FROM group_individuals gi WHERE gi.group_id = t.descendant_id)))"

enum { Q_ID, Q_ANY }; /* id given or empty */

struct stmt {
    const char *sql;
};

/* [type][op][Q_ID / Q_ANY]; NULL = the combination cannot be parsed */
static const struct stmt stmts[3][3][2] = {
    [AUTHZ_GROUP] =
        {
            [AUTHZ_READ] = {{HEAD ORG_ADMIN_OF_GROUP " OR " UP(
                                                     "group_leaders") " OR " UP("group_members") TAIL},
                            {HEAD ANY_ADMIN_WITH("groups", "organization_id") " OR " ANY_IN(
                                 "group_leaders") " OR " ANY_IN("group_members") TAIL}},
            [AUTHZ_WRITE] = {{HEAD ORG_ADMIN_OF_GROUP " OR " UP("group_leaders") TAIL},
                             {HEAD ANY_ADMIN_WITH("groups", "organization_id") " OR " ANY_IN(
                                  "group_leaders") TAIL}},
            [AUTHZ_CONTAIN] = {{HEAD DOWN("group_leaders") " OR " DOWN(
                                    "group_members") " OR " OWN_INDIVIDUAL_DOWN TAIL},
                               {HEAD ANY_IN("group_leaders") " OR " ANY_IN(
                                    "group_members") " OR " OWN_INDIVIDUAL_ANY TAIL}},
        },
    [AUTHZ_INDIVIDUAL] =
        {
            [AUTHZ_READ] = {{IND_HEAD IND_ADMIN " OR " IND_VIA(READ_MEMBERS) IND_TAIL},
                            {HEAD ANY_IN("individuals") " OR " ANY_ADMIN_WITH(
                                 "individuals", "owner_id") " OR " ANY_IND_VIA("group_leaders",
                                                                               "") " OR " ANY_IND_VIA("group_members",
                                                                                                      "") TAIL}},
            [AUTHZ_WRITE] = {{IND_HEAD IND_ADMIN " OR " IND_VIA(WRITE_MEMBERS) IND_TAIL},
                             {HEAD ANY_IN("individuals") " OR " ANY_ADMIN_WITH(
                                  "individuals", "owner_id") " OR " ANY_IND_VIA("group_leaders",
                                                                                "") " OR " ANY_IND_VIA("group_members",
                                                                                                       MEMBERS_CAN_WRITE) TAIL}},
        },
    [AUTHZ_ORGANIZATION] =
        {
            [AUTHZ_READ] = {{HEAD "EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id"
                                  " AND m.organization_id = $2::uuid)" TAIL},
                            {HEAD ANY_IN("memberships") TAIL}},
            [AUTHZ_WRITE] = {{HEAD "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id"
                                   " AND r.organization_id = $2::uuid AND r.role_name = 'admin')" TAIL},
                             {HEAD "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id"
                                   " AND r.role_name = 'admin')" TAIL}},
        },
};

/* system and app.*: the platform admin only */
static const struct stmt admin_only = {
    "SELECT u.platform_admin AS allow FROM users u WHERE u.id = $1::uuid AND u.enabled"};

static const struct stmt *stmt_for(const struct authz_query *q)
{
    if (q->type == AUTHZ_SYSTEM || q->type == AUTHZ_APP)
        return &admin_only;
    if ((unsigned)q->type > AUTHZ_ORGANIZATION || (unsigned)q->op > AUTHZ_CONTAIN)
        return NULL;
    const struct stmt *s = &stmts[q->type][q->op][q->id[0] ? Q_ID : Q_ANY];
    return s->sql ? s : NULL;
}

/* Runs st with params, prepared once per connection (cm_pg_exec_params).
 * Returns the result (caller PQclear), NULL only when libpq has no memory. */
static PGresult *run(PGconn *pg, const struct stmt *st, int n, const char *const *params)
{
    return cm_pg_exec_params(pg, st->sql, n, NULL, params, NULL, NULL, 0);
}

/* Decides one parsed query: *out_allow 1 or 0 on CM_OK. */
static cm_err check_one(PGconn *pg, const char *user_id, const struct authz_query *q, int *out_allow)
{
    const struct stmt *st = stmt_for(q);
    if (!st)
        return CM_EINVAL;
    const char *params[2] = {user_id, q->id};
    int n = (st == &admin_only || !q->id[0]) ? 1 : 2;
    PGresult *res = run(pg, st, n, params);
    cm_err err = cm_pg_result_err(res);
    if (err == CM_OK) {
        int col = PQfnumber(res, "allow");
        *out_allow = PQntuples(res) == 1 && col >= 0 && !PQgetisnull(res, 0, col) &&
                     PQgetvalue(res, 0, col)[0] == 't';
    }
    PQclear(res);
    return err;
}

cm_err authz_check(PGconn *pg, const char *user_id, const struct authz_query *qs, size_t n,
                   int *out_allow)
{
    int allow = 1;
    if (!pg || (n > 0 && !qs) || n > AUTHZ_MAX_QUERIES)
        return CM_EINVAL;
    if (!user_id || !cm_uuid_valid(user_id) || n == 0) {
        *out_allow = 0; /* no such user / nothing asked: not allowed */
        return CM_OK;
    }
    for (size_t i = 0; i < n && allow; i++) {
        cm_err err = check_one(pg, user_id, &qs[i], &allow);
        if (err != CM_OK)
            return err;
    }
    *out_allow = allow;
    return CM_OK;
}
