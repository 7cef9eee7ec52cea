/* store_access_rules.h: engine.h's rules, each written once, as SQL: for
 * one (type, operation), the relation of pairs (user_id, id) such that user
 * user_id may do the operation on entity id through a way other than being
 * the platform admin (the caller adds that, and that the user is enabled).
 * Every relation is a UNION ALL of joins over the closure table group_tree
 * (which holds each group as its own ancestor at depth 0) and the indexes of
 * 001_authz.sql; a pair may come more than once (a caller that counts uses
 * DISTINCT).
 *
 * Every question authz answers about access is this relation filtered, so
 * that they cannot disagree (store_access.c, store_groups_list.c); Postgres
 * pushes the filters into every arm, so each is a few index probes from
 * whichever side is given:
 *   check(U, I)     EXISTS (... FROM (<rule>) s(user_id, id) WHERE s.user_id = U AND s.id = I)
 *   accessible(U)   SELECT DISTINCT s.id ... WHERE s.user_id = U
 *   accessors(Is)   SELECT s.user_id ... WHERE s.id = ANY (Is)
 * Fixed text only: nothing here is built from input. */
#ifndef AUTHZ_STORE_ACCESS_RULES_H
#define AUTHZ_STORE_ACCESS_RULES_H

/* ---- building blocks ---- */

/* (leader, or member per members, of a group; individual in that group or
 * below it): leaders and members are gathered before the one walk down the
 * tree, which costs Postgres about a fifth less than a walk for each */
#define RULE_VIA_GROUPS(members)                                                                   \
    "SELECT x.user_id, gi.individual_id FROM (SELECT l.user_id, l.group_id FROM group_leaders l"   \
    " UNION ALL " members ") x JOIN group_tree t ON t.ancestor_id = x.group_id"                    \
    " JOIN group_individuals gi ON gi.group_id = t.descendant_id"
#define RULE_READ_MEMBERS "SELECT m.user_id, m.group_id FROM group_members m"
#define RULE_WRITE_MEMBERS                                                                         \
    "SELECT m.user_id, m.group_id FROM group_members m"                                            \
    " JOIN groups wg ON wg.id = m.group_id AND wg.members_can_write"
/* a user's own individual and those owned by an organization the user is
 * admin of */
#define RULE_IND_BASE                                                                              \
    "SELECT i.user_id, i.id FROM individuals i"                                                    \
    " UNION ALL SELECT r.user_id, i.id FROM user_roles r"                                          \
    " JOIN individuals i ON i.owner_id = r.organization_id WHERE r.role_name = 'admin'"
/* (admin of an organization, group of it) */
#define RULE_GROUP_ADMIN                                                                           \
    "SELECT r.user_id, g.id FROM user_roles r JOIN groups g ON g.organization_id = "               \
    "r.organization_id"                                                                            \
    " WHERE r.role_name = 'admin'"
/* (user in tbl of a group, the group or one below it / above it) */
#define RULE_GROUPS_BELOW(tbl)                                                                     \
    "SELECT x.user_id, t.descendant_id FROM " tbl                                                  \
    " x JOIN group_tree t ON t.ancestor_id = x.group_id"
#define RULE_GROUPS_ABOVE(tbl)                                                                     \
    "SELECT x.user_id, t.ancestor_id FROM " tbl                                                    \
    " x JOIN group_tree t ON t.descendant_id = x.group_id"

/* ---- the rules (engine.h) ---- */

/* group:G:read  admin of G's organization, or leader or member of G or of
 * an ancestor of G */
#define RULE_GROUP_READ                                                                            \
    RULE_GROUP_ADMIN " UNION ALL " RULE_GROUPS_BELOW(                                              \
        "group_leaders") " UNION ALL " RULE_GROUPS_BELOW("group_members")
/* group:G:write  admin of G's organization, or leader of G or an ancestor */
#define RULE_GROUP_WRITE RULE_GROUP_ADMIN " UNION ALL " RULE_GROUPS_BELOW("group_leaders")
/* group:G:contain  leader or member of G or of a descendant of G, or the
 * user's own individual in G or in a descendant of G */
#define RULE_GROUP_CONTAIN                                                                         \
    RULE_GROUPS_ABOVE("group_leaders")                                                             \
    " UNION ALL " RULE_GROUPS_ABOVE(                                                               \
        "group_members") " UNION ALL SELECT i.user_id, t.ancestor_id FROM individuals i"           \
                         " JOIN group_individuals gi ON gi.individual_id = i.id"                   \
                         " JOIN group_tree t ON t.descendant_id = gi.group_id"
/* individual:I:read  own, admin of its owner, or via a group led or membered */
#define RULE_INDIVIDUAL_READ RULE_IND_BASE " UNION ALL " RULE_VIA_GROUPS(RULE_READ_MEMBERS)
/* individual:I:write  as read, membership only where members_can_write */
#define RULE_INDIVIDUAL_WRITE RULE_IND_BASE " UNION ALL " RULE_VIA_GROUPS(RULE_WRITE_MEMBERS)
/* organization:O:read  member of O */
#define RULE_ORGANIZATION_READ "SELECT m.user_id, m.organization_id FROM memberships m"
/* organization:O:write  role admin in O */
#define RULE_ORGANIZATION_WRITE                                                                    \
    "SELECT r.user_id, r.organization_id FROM user_roles r WHERE r.role_name = 'admin'"

/* Expands X(type, op, rule) for every (type, op) pair that exists, so that
 * a table of statements is derived from the rules above in one place. */
#define RULE_TABLE(X)                                                                              \
    X(AUTHZ_GROUP, AUTHZ_READ, RULE_GROUP_READ)                                                    \
    X(AUTHZ_GROUP, AUTHZ_WRITE, RULE_GROUP_WRITE)                                                  \
    X(AUTHZ_GROUP, AUTHZ_CONTAIN, RULE_GROUP_CONTAIN)                                              \
    X(AUTHZ_INDIVIDUAL, AUTHZ_READ, RULE_INDIVIDUAL_READ)                                          \
    X(AUTHZ_INDIVIDUAL, AUTHZ_WRITE, RULE_INDIVIDUAL_WRITE)                                        \
    X(AUTHZ_ORGANIZATION, AUTHZ_READ, RULE_ORGANIZATION_READ)                                      \
    X(AUTHZ_ORGANIZATION, AUTHZ_WRITE, RULE_ORGANIZATION_WRITE)

/* The ids the user $1 reaches by rule (a set-returning subquery). */
#define RULE_OF_ME(rule) "SELECT s.id FROM (" rule ") s(user_id, id) WHERE s.user_id = $1::uuid"

#endif
