/* engine.h: authz3 access queries and the rules that decide them.
 *
 * A query is "type:id:operation" (at most 256 characters):
 *   type       group | individual | organization | system | app.<name>
 *   id         a uuid, or empty ("any entity of that type"); for system and
 *              app.* any text without ':'
 *   operation  read | write, and for groups also contain
 * Several queries are ANDed.
 *
 * The rules, for a user U (authz's projection of identity; an unknown or
 * disabled U is allowed nothing):
 *   - the platform admin may do everything;
 *   - organization:O:read  U is a member of O;  organization:O:write  U has role
 *     "admin" in O;
 *   - group:G:read   U is an admin of G's organization, or a leader or a
 *     member of G or of an ancestor of G;
 *   - group:G:write  U is an admin of G's organization, or a leader of G or of
 *     an ancestor of G;
 *   - group:G:contain  U is a leader or a member of G or of a descendant of
 *     G, or U's own individual is in G or in a descendant of G;
 *   - individual:I:read   I is U's own individual; or U is an admin of I's
 *     owner organization; or I is in a group G and U is a leader or a member
 *     of G or of an ancestor of G;
 *   - individual:I:write  as read, except that membership (not leadership)
 *     grants write only when that group has members_can_write;
 *   - system:X:op and app.<name>:X:op  the platform admin only;
 *   - an empty id asks whether U may do the operation on at least one
 *     entity of the type.
 * Unknown entity ids are simply not allowed (no error). */
#ifndef AUTHZ_ENGINE_H
#define AUTHZ_ENGINE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

#define AUTHZ_QUERY_MAX 256 /* characters of one query */
#define AUTHZ_MAX_QUERIES 64 /* queries ANDed in one check */

enum authz_type { AUTHZ_GROUP, AUTHZ_INDIVIDUAL, AUTHZ_ORGANIZATION, AUTHZ_SYSTEM, AUTHZ_APP };
enum authz_op { AUTHZ_READ, AUTHZ_WRITE, AUTHZ_CONTAIN };

struct authz_query {
    enum authz_type type;
    char type_name[AUTHZ_QUERY_MAX + 1]; /* as written, e.g. "app.messaging" */
    char id[AUTHZ_QUERY_MAX + 1];        /* "" = any */
    enum authz_op op;
};

/* Parses one query. On CM_EINVAL writes a client-facing reason (no more
 * than errlen bytes) into err: wrong arity, unknown type, bad uuid, bad
 * operation, over-long. */
cm_err authz_query_parse(const char *s, struct authz_query *out, char *err, size_t errlen);

/* Decides whether user_id may do every one of the n queries; *out_allow is 1
 * or 0 on CM_OK. Database errors are returned. */
cm_err authz_check(PGconn *pg, const char *user_id, const struct authz_query *qs, size_t n,
                   int *out_allow);

#endif
