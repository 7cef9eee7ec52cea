/* group_json.h: the JSON shapes of care groups and of the people in them
 * (catalogue §5: IndividualGroupV1, IndividualSummary, GroupLeader,
 * GroupMember; the slim v2 group), built from store_groups.h rows. Pure:
 * no database, no NATS.
 *
 * authz's projection of identity holds no verification or invitation state
 * of users, so a user (leader, member, eligible user) is shown as an
 * account holder: registration-invite "accepted", verified and
 * email-verified true, phone-verified false. An individual's own flags come
 * from its row. Every function returns a new reference (caller
 * json_decref), NULL only when jansson fails. */
#ifndef AUTHZ_GROUP_JSON_H
#define AUTHZ_GROUP_JSON_H

#include <jansson.h>
#include <libpq-fe.h>

#include "store_groups.h"

#define GJ_GROUP_TYPE "individual-groups"

/* The empty communication-preferences object of the seed. */
json_t *gj_comm_prefs(void);

/* IndividualSummary of row of res (gs_details / gs_group_individuals
 * columns). */
json_t *gj_individual_summary(const PGresult *res, int row);

/* GroupLeader (leader true, with "enabled") or GroupMember of row of res
 * (gs_details columns for GS_LEADER / GS_MEMBER). */
json_t *gj_person(const PGresult *res, int row, int leader);

/* Attributes of the slim v2 group g (#156, #157). */
json_t *gj_group_v2_attrs(const struct gs_group *g);

/* Attributes of the v1 group g (#39-#50): the v2 ones plus members-can-write,
 * self-can-write, and empty individual-ids, leader-ids and leaders, and
 * individuals / members when asked for, to be filled by gj_group_attach. */
json_t *gj_group_v1_attrs(const struct gs_group *g, int self_can_write, int with_individuals,
                          int with_members);

/* Appends each row of res (gs_details of kind s) to the v1 attributes in
 * by_id (group id → attributes object) named by its group_id column:
 * individual-ids (and individuals when present) for GS_INDIVIDUAL,
 * leader-ids and leaders for GS_LEADER, members for GS_MEMBER. */
void gj_group_attach(json_t *by_id, const PGresult *res, enum gs_subject s);

#endif
