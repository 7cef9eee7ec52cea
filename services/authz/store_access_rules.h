/* store_access_rules.h: engine.h's rules, each written once, as SQL: for a
 * user U (an SQL expression: "$1::uuid" or a column such as "u.id"), the
 * set of entity ids of one type on which U may do one operation through a
 * way other than being the platform admin (the caller adds that, and that U
 * is enabled). Every set is a UNION ALL of index walks over the closure
 * table group_tree (which holds each group as its own ancestor at depth 0);
 * an id may come more than once (a caller that counts uses DISTINCT).
 *
 * Used by every question authz answers about access, so that they cannot
 * disagree (store_access.c, store_groups_list.c):
 *   check(U, id)     EXISTS (SELECT 1 FROM (<set>) s(id) WHERE s.id = $id)
 *                    — Postgres pushes "s.id = $id" into every arm;
 *   accessible(U)    SELECT DISTINCT id FROM (<set>) s(id);
 *   accessors(ids)   users u for which EXISTS (... <set of u.id> ... = ANY (ids)).
 * Fixed text only: nothing here is built from input. */
#ifndef AUTHZ_STORE_ACCESS_RULES_H
#define AUTHZ_STORE_ACCESS_RULES_H

/* ---- building blocks ---- */

/* individuals in groups at or below the groups where U is in tbl */
#define RULE_VIA_GROUPS(U, tbl, extra)                                                        \
    "SELECT gi.individual_id FROM " tbl " x" extra                                          \
    " JOIN group_tree t ON t.ancestor_id = x.group_id"                                      \
    " JOIN group_individuals gi ON gi.group_id = t.descendant_id WHERE x.user_id = " U
#define RULE_MEMBERS_CAN_WRITE " JOIN groups wg ON wg.id = x.group_id AND wg.members_can_write"
/* U's own individual, those owned by an organization U is admin of, and
 * those in groups at or below a group U leads */
#define RULE_IND_BASE(U)                                                                      \
    "SELECT i.id FROM individuals i WHERE i.user_id = " U                                     \
    " UNION ALL SELECT i.id FROM user_roles r"                                                \
    " JOIN individuals i ON i.owner_id = r.organization_id"                                   \
    " WHERE r.user_id = " U " AND r.role_name = 'admin'"                                      \
    " UNION ALL " RULE_VIA_GROUPS(U, "group_leaders", "")
/* groups of the organizations U is admin of */
#define RULE_GROUP_ADMIN(U)                                                                   \
    "SELECT g.id FROM user_roles r JOIN groups g ON g.organization_id = r.organization_id"    \
    " WHERE r.user_id = " U " AND r.role_name = 'admin'"
/* groups at or below / at or above the groups where U is in tbl */
#define RULE_GROUPS_BELOW(U, tbl)                                                             \
    "SELECT t.descendant_id FROM " tbl " x JOIN group_tree t ON t.ancestor_id = x.group_id"  \
    " WHERE x.user_id = " U
#define RULE_GROUPS_ABOVE(U, tbl)                                                             \
    "SELECT t.ancestor_id FROM " tbl " x JOIN group_tree t ON t.descendant_id = x.group_id"  \
    " WHERE x.user_id = " U

/* ---- the rules (engine.h) ---- */

/* group:G:read  admin of G's organization, or leader or member of G or of
 * an ancestor of G */
#define RULE_GROUP_READ(U)                                                                    \
    RULE_GROUP_ADMIN(U) " UNION ALL " RULE_GROUPS_BELOW(U, "group_leaders")                   \
    " UNION ALL " RULE_GROUPS_BELOW(U, "group_members")
/* group:G:write  admin of G's organization, or leader of G or an ancestor */
#define RULE_GROUP_WRITE(U) RULE_GROUP_ADMIN(U) " UNION ALL " RULE_GROUPS_BELOW(U, "group_leaders")
/* group:G:contain  leader or member of G or of a descendant of G, or U's
 * own individual in G or in a descendant of G */
#define RULE_GROUP_CONTAIN(U)                                                                 \
    RULE_GROUPS_ABOVE(U, "group_leaders") " UNION ALL " RULE_GROUPS_ABOVE(U, "group_members") \
    " UNION ALL SELECT t.ancestor_id FROM individuals i"                                      \
    " JOIN group_individuals gi ON gi.individual_id = i.id"                                   \
    " JOIN group_tree t ON t.descendant_id = gi.group_id WHERE i.user_id = " U
/* individual:I:read  own, admin of its owner, or via a group led or membered */
#define RULE_INDIVIDUAL_READ(U)                                                               \
    RULE_IND_BASE(U) " UNION ALL " RULE_VIA_GROUPS(U, "group_members", "")
/* individual:I:write  as read, membership only where members_can_write */
#define RULE_INDIVIDUAL_WRITE(U)                                                              \
    RULE_IND_BASE(U) " UNION ALL " RULE_VIA_GROUPS(U, "group_members", RULE_MEMBERS_CAN_WRITE)
/* organization:O:read  member of O */
#define RULE_ORGANIZATION_READ(U) "SELECT m.organization_id FROM memberships m WHERE m.user_id = " U
/* organization:O:write  role admin in O */
#define RULE_ORGANIZATION_WRITE(U)                                                            \
    "SELECT r.organization_id FROM user_roles r WHERE r.user_id = " U " AND r.role_name = 'admin'"

/* Expands X(name, RULE) for every (type, op) pair that exists, so that a
 * table of statements is derived from the rules above in one place. */
#define RULE_TABLE(X, U)                                                                      \
    X(AUTHZ_GROUP, AUTHZ_READ, RULE_GROUP_READ(U))                                            \
    X(AUTHZ_GROUP, AUTHZ_WRITE, RULE_GROUP_WRITE(U))                                          \
    X(AUTHZ_GROUP, AUTHZ_CONTAIN, RULE_GROUP_CONTAIN(U))                                      \
    X(AUTHZ_INDIVIDUAL, AUTHZ_READ, RULE_INDIVIDUAL_READ(U))                                  \
    X(AUTHZ_INDIVIDUAL, AUTHZ_WRITE, RULE_INDIVIDUAL_WRITE(U))                                \
    X(AUTHZ_ORGANIZATION, AUTHZ_READ, RULE_ORGANIZATION_READ(U))                              \
    X(AUTHZ_ORGANIZATION, AUTHZ_WRITE, RULE_ORGANIZATION_WRITE(U))

#endif
