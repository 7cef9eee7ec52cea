/* engine.c: the authz3 engine: parses "type:id:operation" access queries and
 * decides them, each by one statement of the store (store_access.h) built
 * from the one definition of every rule (store_access_rules.h; engine.h
 * states the rules). An unknown or disabled user yields no row (deny) and
 * the platform admin is allowed everything. */
#include "engine.h"

#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "store_access.h"

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
        cm_err err = store_access_allowed(pg, user_id, &qs[i], &allow);
        if (err != CM_OK)
            return err;
    }
    *out_allow = allow;
    return CM_OK;
}
