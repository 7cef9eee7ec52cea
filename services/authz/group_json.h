/* group_json.h: the JSON shapes of care groups, of the people in them and
 * of individuals (catalogue §5: IndividualGroupV1, IndividualSummary,
 * GroupLeader, GroupMember; the slim v2 group; group logs, eligible people,
 * the individuals resource), built from the store's records
 * (store_groups.h). Pure: no database, no NATS.
 *
 * authz's projection of identity holds no verification or invitation state
 * of users, so a user (leader, member, eligible user) is shown as an
 * account holder: registration-invite "accepted", verified and
 * email-verified true, phone-verified false. An individual's own flags come
 * from its record. Every function returns a new reference (caller
 * json_decref), NULL only when jansson fails. */
#ifndef AUTHZ_GROUP_JSON_H
#define AUTHZ_GROUP_JSON_H

#include <jansson.h>

#include "store_groups.h"

#define GJ_GROUP_TYPE "individual-groups"

/* The empty communication-preferences object of the seed. */
json_t *gj_comm_prefs(void);

/* IndividualSummary of i. */
json_t *gj_individual_summary(const struct individual_rec *i);

/* GroupLeader (leader true, with "enabled") or GroupMember of p. */
json_t *gj_person(const struct person_rec *p, int leader);

/* Attributes of the slim v2 group g (#156, #157). */
json_t *gj_group_v2_attrs(const struct group_rec *g);

/* The v2 resource of g. */
json_t *gj_group_v2_resource(const struct group_rec *g);

/* Attributes of the v1 group g (#39-#50): the v2 ones plus members-can-write,
 * self-can-write, and empty individual-ids, leader-ids and leaders, and
 * individuals / members when asked for, to be filled by gj_group_attach_*. */
json_t *gj_group_v1_attrs(const struct group_rec *g, int self_can_write, int with_individuals,
                          int with_members);

/* Appends each individual of l to the v1 attributes in by_id (group id →
 * attributes object) named by its group_id: individual-ids, and
 * individuals when present. */
void gj_group_attach_individuals(json_t *by_id, const struct individual_list *l);

/* As gj_group_attach_individuals for leaders (GS_LEADER: leader-ids and
 * leaders) or members (GS_MEMBER: members). */
void gj_group_attach_people(json_t *by_id, const struct person_list *l, enum gs_subject s);

/* An individual-group-individuals item (#36) of i in group. */
json_t *gj_group_individual_item(const struct individual_rec *i, const char *group);

/* An individual-group-leaders item (#37) of p in group. */
json_t *gj_group_leader_item(const struct person_rec *p, const char *group);

/* An individual-group-logs resource (#38). */
json_t *gj_group_log_resource(const struct group_log_rec *x);

/* One eligible person (#46), flat. */
json_t *gj_eligible_item(const struct eligible_rec *e);

/* The individuals resource document of i (#51, #52): only owner-id, as the
 * seed shows. */
json_t *gj_individual_doc(const struct individual_rec *i);

#endif
