/* features.h: feature flags: global definitions (#23-#28,
 * handlers_features.c), the organization layer (#85-#88) and user layer
 * (#138-#141, handlers_feature_layers.c), and identity.rpc.GetFeatures
 * (features_rpc.c). The resolution rule is features_resolve.h.
 *
 * Who may do what: every authenticated caller reads the definitions; only
 * the platform admin creates and changes them and uses add-users /
 * remove-users (settings that hold in every organization of a user). An
 * organization's layer and its members' user layers are set by its admins
 * (403 for a feature that is not assignable, unless platform admin) and
 * read by its members (organization layer) or the user concerned (user
 * layer); what the caller cannot see answers 404. */
#ifndef IDENTITY_FEATURES_H
#define IDENTITY_FEATURES_H

#include "cm_service.h"

/* GET /v1/features/ (#23): filter[assignable]; filter[user-id] and
 * filter[organization-id] narrow to the features in effect for that
 * subject (each with "enabled": true); filter[individual-id] is refused
 * (identity holds no individuals); 200. */
cm_err features_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/features/ (#24): platform admin; attributes id (required),
 * description, global-enabled, assignable, stage; 201, 409 for a taken id. */
cm_err features_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/features/{id}/ (#25): 200, 404. */
cm_err features_read(struct cm_req *rq, struct cm_resp *out);

/* PATCH /v1/features/{id}/ (#26): platform admin; 200. */
cm_err features_update(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/features/{id}/add-users/ (#27): platform admin; flat body
 * user-ids (uuids) and/or user-emails, state (default enabled), force;
 * sets those users' every-organization layer; 201 with the feature. */
cm_err features_add_users(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/features/{id}/remove-users/ (#28): platform admin; user-ids
 * and/or user-emails; removes every user-layer setting of the feature for
 * them; 201 with the feature. */
cm_err features_remove_users(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/organization-features/ (#85): organization-id,
 * filter[feature-name], page; the layers of visible organizations; 200. */
cm_err org_features_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/organization-features/ (#86): feature-name, organization-id,
 * state (default enabled), force; 201, 409 when the organization has one. */
cm_err org_features_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/organization-features/{id}/ (#87): 200, 404. */
cm_err org_features_read(struct cm_req *rq, struct cm_resp *out);

/* PATCH /v1/organization-features/{id}/ (#88): state, force; 200 null. */
cm_err org_features_update(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/user-features/ (#138): user-id, user-email,
 * filter[organization-id], filter[feature-name], page; 200. */
cm_err user_features_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/user-features/ (#139): feature-name, user-id, organization-id
 * (the caller's current organization when not given; the platform admin's
 * default is every organization), state, force; 201, 409 when set. */
cm_err user_features_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/user-features/{id}/ (#140): 200, 404. */
cm_err user_features_read(struct cm_req *rq, struct cm_resp *out);

/* PATCH /v1/user-features/{id}/ (#141): state, force; 200 null. */
cm_err user_features_update(struct cm_req *rq, struct cm_resp *out);

/* identity.rpc.GetFeatures: GetFeaturesRequest → GetFeaturesReply. */
cm_err rpc_get_features(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                        size_t *out_len);

#endif
